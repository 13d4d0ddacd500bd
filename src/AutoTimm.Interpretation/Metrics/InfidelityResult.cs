namespace AutoTimm.Interpretation.Metrics;

/// <summary>
/// Infidelity of one attribution: the mean over perturbations I of <c>(sum(I * a) - (f(x) - f(x - I)))^2</c>, with
/// <c>a</c> scaled by the optimal beta when normalized. Lower is better.
/// </summary>
public sealed record InfidelityResult
{
    /// <summary>The class whose score is tracked.</summary>
    public required int TargetClass { get; init; }

    /// <summary>The infidelity.</summary>
    public required MetricValue Value { get; init; }

    /// <summary><c>sum(I * a)</c> per perturbation, before any scaling.</summary>
    public required IReadOnlyList<double> AttributionDotPerturbation { get; init; }

    /// <summary><c>f(x) - f(x - I)</c> per perturbation.</summary>
    public required IReadOnlyList<double> ScoreChange { get; init; }

    /// <summary>The scale applied to the attributions: the optimal beta when normalized (0 for zero attributions), else 1.</summary>
    public required double Beta { get; init; }

    /// <summary>The parameters used.</summary>
    public required InfidelityOptions Options { get; init; }
}
