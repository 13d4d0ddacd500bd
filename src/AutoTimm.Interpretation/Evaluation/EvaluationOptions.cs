using System.Text.Json.Serialization;
using AutoTimm.Interpretation.Engine;
using AutoTimm.Interpretation.Metrics;

namespace AutoTimm.Interpretation.Evaluation;

/// <summary>What a method comparison computes and with which parameters; the report records all of it.</summary>
public sealed record EvaluationOptions
{
    /// <summary>Metric groups (<see cref="EvaluationMetric"/>); every group when null.</summary>
    public IReadOnlyList<string>? Metrics { get; init; }

    /// <summary>Deletion and insertion parameters.</summary>
    public PerturbationOptions Perturbation { get; init; } = new();

    /// <summary>ROAD parameters.</summary>
    public RoadOptions Road { get; init; } = new();

    /// <summary>Faithfulness correlation parameters.</summary>
    public FaithfulnessCorrelationOptions FaithfulnessCorrelation { get; init; } = new();

    /// <summary>Sensitivity parameters.</summary>
    public SensitivityOptions Sensitivity { get; init; } = new();

    /// <summary>Infidelity parameters; normalized by default, so methods whose maps have different scales compare fairly.</summary>
    public InfidelityOptions Infidelity { get; init; } = new() { Normalize = true };

    /// <summary>Randomization parameters.</summary>
    public RandomizationOptions Randomization { get; init; } = new();

    /// <summary>The randomization check runs on the first this many images (it explains them once per layer).</summary>
    public int RandomizationImages { get; init; } = 32;

    /// <summary>Pointing-game tolerance in pixels; null for TorchRay's 15 px at 224 px, scaled to the input (15 * min(H, W) / 224).</summary>
    public double? PointingTolerance { get; init; }

    /// <summary>IoU threshold on normalized maps.</summary>
    public double IouThreshold { get; init; } = 0.5;

    /// <summary>Images explained per batch.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Confidence level of the bootstrap intervals.</summary>
    public double ConfidenceLevel { get; init; } = 0.95;

    /// <summary>Bootstrap resamples.</summary>
    public int BootstrapResamples { get; init; } = 2000;

    /// <summary>Method parameters (IG steps, SmoothGrad samples, layers).</summary>
    [JsonIgnore]
    public ExplanationOptions MethodOptions { get; init; } = ExplanationOptions.Default;

    /// <summary>The metric groups to compute.</summary>
    [JsonIgnore]
    public IReadOnlyList<string> Groups => Metrics is null ? EvaluationMetric.All : EvaluationMetric.Parse(Metrics);

    /// <summary>Checks the values.</summary>
    public void Validate()
    {
        _ = Groups;
        Perturbation.Validate();
        Road.Validate();
        FaithfulnessCorrelation.Validate();
        Sensitivity.Validate();
        Infidelity.Validate();
        Randomization.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(RandomizationImages, 1, nameof(RandomizationImages));
        if (PointingTolerance is { } t && !(t >= 0 && double.IsFinite(t)))
            throw new ArgumentOutOfRangeException(nameof(PointingTolerance), t, "the tolerance must be finite and non-negative");
        if (!(IouThreshold > 0 && IouThreshold < 1)) throw new ArgumentOutOfRangeException(nameof(IouThreshold), IouThreshold, "the IoU threshold lies in (0, 1)");
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1, nameof(BatchSize));
        if (!(ConfidenceLevel > 0 && ConfidenceLevel < 1)) throw new ArgumentOutOfRangeException(nameof(ConfidenceLevel), ConfidenceLevel, "the level lies in (0, 1)");
        ArgumentOutOfRangeException.ThrowIfLessThan(BootstrapResamples, 100, nameof(BootstrapResamples));
    }
}
