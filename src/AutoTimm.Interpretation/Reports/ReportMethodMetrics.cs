using AutoTimm.Interpretation.Metrics;

namespace AutoTimm.Interpretation.Reports;

/// <summary>A method's row of a report's metrics table, and its deletion and insertion curves when computed.</summary>
public sealed record ReportMethodMetrics
{
    /// <summary>Method id.</summary>
    public required string Method { get; init; }

    /// <summary>Metric name to value, in table order (for example <c>deletion_auc</c>, <c>insertion_auc</c>).</summary>
    public required IReadOnlyList<KeyValuePair<string, double>> Values { get; init; }

    /// <summary>Target score as the most important pixels are removed.</summary>
    public PerturbationCurve? Deletion { get; init; }

    /// <summary>Target score as the most important pixels are restored.</summary>
    public PerturbationCurve? Insertion { get; init; }
}
