using AutoTimm.Interpretation.Engine;

namespace AutoTimm.Interpretation.Adapters;

/// <summary>What <see cref="Explain.Segmentation"/> returns: the predicted mask, per-class explanations and the uncertainty.</summary>
public sealed record SegmentationExplanation
{
    /// <summary>Method id.</summary>
    public required string Method { get; init; }

    /// <summary>Predicted class per pixel, row-major <c>[Height, Width]</c> at the model input's resolution.</summary>
    public required int[] Mask { get; init; }

    /// <summary>Mask height.</summary>
    public required int Height { get; init; }

    /// <summary>Mask width.</summary>
    public required int Width { get; init; }

    /// <summary>Pixels predicted per class.</summary>
    public required SegmentationSummary Prediction { get; init; }

    /// <summary>The explained classes, each with its heatmap (the class logit summed over its region).</summary>
    public required IReadOnlyList<ExplainedClass> Classes { get; init; }

    /// <summary>Per-pixel uncertainty in [0, 1] (row-major), when requested.</summary>
    public float[]? Uncertainty { get; init; }

    /// <summary>How <see cref="Uncertainty"/> was computed (<c>entropy</c> or <c>margin</c>).</summary>
    public string? UncertaintyMethod { get; init; }

    /// <summary>The overview figure written to the caller's <c>savePath</c>, or null.</summary>
    public string? SavePath { get; init; }

    /// <summary>Why nothing was explained (a class absent from the prediction, only background), or null.</summary>
    public string? Message { get; init; }

    /// <summary>Time spent explaining, in milliseconds.</summary>
    public double ElapsedMilliseconds { get; init; }
}

/// <summary>One class's explanation.</summary>
/// <param name="Class">Class index.</param>
/// <param name="Pixels">Pixels in the explained region.</param>
/// <param name="Heatmap">The explanation.</param>
public sealed record ExplainedClass(int Class, long Pixels, Heatmap Heatmap)
{
    /// <summary>The figure, when one was saved.</summary>
    public string? FigurePath { get; init; }
}
