using AutoTimm.Interpretation.Engine;
using AutoTimm.Interpretation.Targets;

namespace AutoTimm.Interpretation;

/// <summary>What <see cref="Explain.Prediction"/> returns: what was explained, the prediction, and where it was saved.</summary>
public sealed record ExplanationResult
{
    /// <summary>The explanation; null when <c>returnHeatmap</c> was false.</summary>
    public Heatmap? Heatmap { get; init; }

    /// <summary>Method id.</summary>
    public required string Method { get; init; }

    /// <summary>What was explained (a class, a box, a mask region).</summary>
    public required IExplanationTarget Target { get; init; }

    /// <summary>The model's prediction, as its task summarizes it.</summary>
    public required PredictionSummary Prediction { get; init; }

    /// <summary>The label of the prediction's top class, when it has one (<see cref="PredictionSummary.TopClass"/>).</summary>
    public string? PredictedLabel { get; init; }

    /// <summary>Layer used by layer-based methods.</summary>
    public string? Layer { get; init; }

    /// <summary>Path of the saved figure, when one was saved.</summary>
    public string? SavePath { get; init; }

    /// <summary>Time spent explaining (not rendering), in milliseconds.</summary>
    public double ElapsedMilliseconds { get; init; }
}

/// <summary>What <see cref="Explain.CompareMethods"/> returns: a result per method that ran, the reason for each that did not.</summary>
public sealed record ComparisonResult
{
    /// <summary>Results by method id.</summary>
    public required IReadOnlyDictionary<string, ExplanationResult> Results { get; init; }

    /// <summary>Why a method did not apply or failed, by method id.</summary>
    public required IReadOnlyDictionary<string, string> Errors { get; init; }

    /// <summary>Path of the comparison figure, when one was saved.</summary>
    public string? SavePath { get; init; }
}
