namespace AutoTimm.Interpretation.Evaluation;

/// <summary>One method's results in a comparison.</summary>
public sealed record MethodEvaluation
{
    /// <summary>Method id.</summary>
    public required string Method { get; init; }

    /// <summary>Display name.</summary>
    public required string DisplayName { get; init; }

    /// <summary>Explanation time per image (batched), in milliseconds; metrics excluded.</summary>
    public required double MillisecondsPerImage { get; init; }

    /// <summary>Metric computation time per image, in milliseconds.</summary>
    public required double MetricMillisecondsPerImage { get; init; }

    /// <summary>Summaries by score id (<see cref="EvaluationMetric.ScoresOf"/>).</summary>
    public required IReadOnlyDictionary<string, MetricSummary> Scores { get; init; }

    /// <summary>Mean deletion curve over the images (probabilities after 0..N steps), when computed.</summary>
    public IReadOnlyList<double>? DeletionCurve { get; init; }

    /// <summary>Mean insertion curve, when computed.</summary>
    public IReadOnlyList<double>? InsertionCurve { get; init; }

    /// <summary>Mean Spearman correlation after each randomization step, top layer first, when computed.</summary>
    public IReadOnlyList<double>? RandomizationCurve { get; init; }

    /// <summary>The layers of those steps.</summary>
    public IReadOnlyList<string>? RandomizationLayers { get; init; }

    /// <summary>The method's parameters.</summary>
    public required IReadOnlyDictionary<string, object> Parameters { get; init; }

    /// <summary>Why the method could not be evaluated (it does not apply to the model, or failed), or null.</summary>
    public string? Error { get; init; }
}
