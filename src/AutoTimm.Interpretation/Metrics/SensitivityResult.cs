namespace AutoTimm.Interpretation.Metrics;

/// <summary>
/// Max- and avg-sensitivity of one explanation: over perturbed copies <c>x + d</c>, <c>||e(x + d) - e(x)||_F / ||e(x)||_F</c>,
/// with <c>e</c> the explanation as <see cref="Sensitivity"/> defines it. Lower is more robust. An explanation that is
/// zero everywhere gives NaN with the reason (Captum divides by 1 instead).
/// </summary>
public sealed record SensitivityResult
{
    /// <summary>The class explained, the same for every perturbed copy.</summary>
    public required int TargetClass { get; init; }

    /// <summary>Relative change per perturbed copy.</summary>
    public required IReadOnlyList<double> PerSample { get; init; }

    /// <summary>The largest relative change (Captum's <c>sensitivity_max</c>).</summary>
    public required MetricValue Max { get; init; }

    /// <summary>The mean relative change.</summary>
    public required MetricValue Average { get; init; }

    /// <summary>The parameters used.</summary>
    public required SensitivityOptions Options { get; init; }
}
