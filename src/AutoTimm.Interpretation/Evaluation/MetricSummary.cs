namespace AutoTimm.Interpretation.Evaluation;

/// <summary>
/// One score of one method over the images: mean, sample standard deviation and a percentile-bootstrap interval of
/// the mean, over the images where it is defined; how many were undefined and why.
/// </summary>
public sealed record MetricSummary
{
    /// <summary>Mean, or null when no image has a defined value.</summary>
    public required double? Mean { get; init; }

    /// <summary>Sample standard deviation (n - 1).</summary>
    public required double? Std { get; init; }

    /// <summary>Lower end of the bootstrap interval of the mean.</summary>
    public required double? CiLow { get; init; }

    /// <summary>Upper end of the bootstrap interval of the mean.</summary>
    public required double? CiHigh { get; init; }

    /// <summary>Images with a defined value.</summary>
    public required int Count { get; init; }

    /// <summary>Images whose value was undefined (NaN with a reason).</summary>
    public required int Undefined { get; init; }

    /// <summary>The distinct reasons for undefined values.</summary>
    public required IReadOnlyList<string> Reasons { get; init; }

    /// <summary>Whether a higher value is better.</summary>
    public required bool HigherIsBetter { get; init; }
}
