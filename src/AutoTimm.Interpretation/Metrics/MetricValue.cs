namespace AutoTimm.Interpretation.Metrics;

/// <summary>A metric's value, or NaN with the reason it is undefined (an empty region, an all-zero map), never a silent number.</summary>
/// <param name="Value">The value, NaN when undefined.</param>
/// <param name="Reason">Why the value is NaN, or null when it is defined.</param>
public readonly record struct MetricValue(double Value, string? Reason = null)
{
    /// <summary>An undefined value with its reason.</summary>
    public static MetricValue Undefined(string reason) => new(double.NaN, reason);

    /// <summary>Whether the value is defined.</summary>
    public bool IsDefined => Reason is null;
}
