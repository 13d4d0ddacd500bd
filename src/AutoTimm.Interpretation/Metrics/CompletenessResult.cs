using AutoTimm.Interpretation.Methods;

namespace AutoTimm.Interpretation.Metrics;

/// <summary>
/// Integrated Gradients completeness of one explanation (METRICS.md): <c>delta = sum(attr) - (f(x) - f(x'))</c>,
/// absolute and relative to <c>|f(x) - f(x')|</c>. It shrinks as the steps grow, fastest with Gauss-Legendre.
/// </summary>
public sealed record CompletenessResult
{
    /// <summary>The class whose logit was integrated.</summary>
    public required int TargetClass { get; init; }

    /// <summary><c>sum(attr) - (f(x) - f(x'))</c>.</summary>
    public required double Delta { get; init; }

    /// <summary><c>f(x) - f(x')</c>: what the attributions should add up to.</summary>
    public required double OutputDifference { get; init; }

    /// <summary><c>|delta|</c>.</summary>
    public double Absolute => Math.Abs(Delta);

    /// <summary><c>|delta| / |f(x) - f(x')|</c>; NaN with the reason when the output does not change along the path.</summary>
    public MetricValue Relative => OutputDifference == 0
        ? MetricValue.Undefined("f(x) equals f(baseline): nothing to attribute, a relative error is undefined")
        : new MetricValue(Absolute / Math.Abs(OutputDifference));

    /// <summary>Path points.</summary>
    public required int Steps { get; init; }

    /// <summary>Quadrature rule.</summary>
    public required IntegrationMethod Integration { get; init; }

    /// <summary>Baseline kind.</summary>
    public required IgBaseline Baseline { get; init; }
}
