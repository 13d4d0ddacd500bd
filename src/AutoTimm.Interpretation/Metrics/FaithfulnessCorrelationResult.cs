namespace AutoTimm.Interpretation.Metrics;

/// <summary>
/// Faithfulness correlation of one explanation: the Pearson correlation, over random pixel subsets, between the
/// saliency inside a subset and the score drop when the subset is removed. Higher is better.
/// </summary>
public sealed record FaithfulnessCorrelationResult
{
    /// <summary>The class whose score is tracked.</summary>
    public required int TargetClass { get; init; }

    /// <summary>The correlation; NaN with the reason when either side does not vary.</summary>
    public required MetricValue Correlation { get; init; }

    /// <summary>Saliency summed over each subset.</summary>
    public required IReadOnlyList<double> SaliencySums { get; init; }

    /// <summary><c>f(x) - f(x with the subset removed)</c> per subset.</summary>
    public required IReadOnlyList<double> ScoreDrops { get; init; }

    /// <summary>Pixels per subset actually used (the option, capped at half the image).</summary>
    public required int SubsetSize { get; init; }

    /// <summary>The parameters used.</summary>
    public required FaithfulnessCorrelationOptions Options { get; init; }
}
