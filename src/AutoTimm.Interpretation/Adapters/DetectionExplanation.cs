using AutoTimm.Models;

namespace AutoTimm.Interpretation.Adapters;

/// <summary>What <see cref="Explain.Detection"/> returns: every kept detection with its own explanation.</summary>
public sealed record DetectionExplanation
{
    /// <summary>Method id.</summary>
    public required string Method { get; init; }

    /// <summary>Score threshold detections had to pass.</summary>
    public required float DetectionThreshold { get; init; }

    /// <summary>Every detection above the threshold, best first (also those not explained when a bbox selected one).</summary>
    public required IReadOnlyList<Detection> Detections { get; init; }

    /// <summary>The explained detections, each with its heatmap and figure (or why it could not be explained).</summary>
    public required IReadOnlyList<ExplainedDetection> Explained { get; init; }

    /// <summary>The overview figure written to the caller's <c>savePath</c>, or null.</summary>
    public string? SavePath { get; init; }

    /// <summary>Why nothing was explained (no detection above the threshold), or null.</summary>
    public string? Message { get; init; }

    /// <summary>Time spent explaining (not detecting or rendering), in milliseconds.</summary>
    public double ElapsedMilliseconds { get; init; }
}

/// <summary>One detection and its explanation.</summary>
/// <param name="Index">Position of the detection in <see cref="DetectionExplanation.Detections"/>.</param>
/// <param name="Detection">The detection.</param>
public sealed record ExplainedDetection(int Index, Detection Detection)
{
    /// <summary>The explanation of the detection's own score, or null when it failed (see <see cref="Error"/>).</summary>
    public Heatmap? Heatmap { get; init; }

    /// <summary>The figure with the box, label and score, when one was saved.</summary>
    public string? FigurePath { get; init; }

    /// <summary>Why this detection was not explained, or null.</summary>
    public string? Error { get; init; }
}
