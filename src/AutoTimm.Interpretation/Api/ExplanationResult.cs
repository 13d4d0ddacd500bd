namespace AutoTimm.Interpretation;

/// <summary>What <see cref="Explain.Prediction"/> returns: the prediction, the explanation and where it was saved.</summary>
public sealed record ExplanationResult
{
    /// <summary>The explanation; null when <c>returnHeatmap</c> was false.</summary>
    public Heatmap? Heatmap { get; init; }

    /// <summary>Method id.</summary>
    public required string Method { get; init; }

    /// <summary>Class the model predicted.</summary>
    public required int PredictedClass { get; init; }

    /// <summary>Label of the predicted class.</summary>
    public required string PredictedLabel { get; init; }

    /// <summary>Softmax probability of the predicted class.</summary>
    public required double Confidence { get; init; }

    /// <summary>Class explained.</summary>
    public required int TargetClass { get; init; }

    /// <summary>Layer used by layer-based methods.</summary>
    public string? Layer { get; init; }

    /// <summary>Path of the saved figure, when one was saved.</summary>
    public string? SavePath { get; init; }

    /// <summary>Time spent explaining (not rendering), in milliseconds.</summary>
    public double ElapsedMilliseconds { get; init; }
}
