using AutoTimm.Interpretation.Targets;
using AutoTimm.Models;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Engine;

/// <summary>
/// Detection: the output is the dense prediction <c>[locations, K + 11]</c>; the prediction is its decoded
/// detections, and the default target is the best detection's own box score.
/// </summary>
/// <param name="Options">How outputs are decoded for summaries and default targets.</param>
public sealed class DetectionTask(DetectionOptions Options) : ExplanationTask
{
    /// <summary>Score threshold of summaries and default targets: the spec's <c>detection_threshold</c> default.</summary>
    public const float DefaultScoreThreshold = 0.5f;

    /// <summary>The task with the default threshold.</summary>
    public static DetectionTask Default { get; } = new(new DetectionOptions { ScoreThreshold = DefaultScoreThreshold });

    /// <summary>How outputs are decoded.</summary>
    public DetectionOptions Options { get; } = Options ?? throw new ArgumentNullException(nameof(Options));

    /// <inheritdoc/>
    public override ModelTask Kind => ModelTask.ObjectDetector;

    /// <inheritdoc/>
    public override PredictionSummary Summarize(Tensor output) => new DetectionSummary(DetectionDecoder.Decode(output, Options));

    /// <inheritdoc/>
    public override IExplanationTarget DefaultTarget(Tensor output)
    {
        var detections = DetectionDecoder.Decode(output, Options);
        if (detections.Count == 0)
            throw new InvalidOperationException($"nothing is detected above score {Options.ScoreThreshold}; lower the detection threshold or give a target");
        return BoxScoreTarget.Of(detections[0]);
    }
}

/// <summary>A detector's prediction for one image: its detections, best first.</summary>
/// <param name="Detections">The detections.</param>
public sealed record DetectionSummary(IReadOnlyList<Detection> Detections) : PredictionSummary
{
    /// <inheritdoc/>
    public override int? TopClass => Detections.Count > 0 ? Detections[0].Label : null;

    /// <inheritdoc/>
    public override string Headline(Func<int, string> labelOf)
    {
        ArgumentNullException.ThrowIfNull(labelOf);
        if (Detections.Count == 0) return "Detected: nothing";
        var shown = Detections.Take(3).Select(d => $"{labelOf(d.Label)} ({Visualization.FigureText.Percent(d.Score)})");
        return $"Detected {Detections.Count}: {string.Join(", ", shown)}{(Detections.Count > 3 ? ", ..." : "")}";
    }

    /// <inheritdoc/>
    public override double? ConfidenceOf(IExplanationTarget target) => target switch
    {
        BoxScoreTarget { DetectionScore: { } score } => score,
        BoxScoreTarget box => Detections.FirstOrDefault(d => d.Location == box.Location && d.Label == box.Class)?.Score,
        _ => null,
    };
}
