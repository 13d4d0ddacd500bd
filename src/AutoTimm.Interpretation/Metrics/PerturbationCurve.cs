namespace AutoTimm.Interpretation.Metrics;

/// <summary>Which perturbation curve.</summary>
public enum PerturbationKind
{
    /// <summary>Most salient pixels removed first; lower area is better.</summary>
    Deletion,
    /// <summary>Most salient pixels put back first onto a blurred copy; higher area is better.</summary>
    Insertion,
}

/// <summary>
/// A deletion or insertion curve: the target class's softmax probability after 0, 1, ..., N steps, and its area with
/// x in [0, 1] by the trapezoid rule, <c>(sum(s) - s0/2 - sN/2) / N</c>. Carries the parameters it was computed with.
/// </summary>
public sealed record PerturbationCurve
{
    /// <summary>Deletion or insertion.</summary>
    public required PerturbationKind Kind { get; init; }

    /// <summary>The class whose probability is tracked.</summary>
    public required int TargetClass { get; init; }

    /// <summary>Probabilities after 0..N steps (N + 1 values).</summary>
    public required IReadOnlyList<double> Scores { get; init; }

    /// <summary>Pixels changed per step (the last step may change fewer).</summary>
    public required int PixelsPerStep { get; init; }

    /// <summary>The parameters used.</summary>
    public required PerturbationOptions Options { get; init; }

    /// <summary>Number of steps N.</summary>
    public int Steps => Scores.Count - 1;

    /// <summary>Area under the curve with x in [0, 1] (trapezoid rule).</summary>
    public double Auc => Area(Scores);

    /// <summary><c>(sum(s) - s0/2 - sN/2) / N</c>.</summary>
    public static double Area(IReadOnlyList<double> scores)
    {
        ArgumentNullException.ThrowIfNull(scores);
        if (scores.Count < 2) throw new ArgumentException("a curve needs at least two points", nameof(scores));
        return (scores.Sum() - scores[0] / 2 - scores[^1] / 2) / (scores.Count - 1);
    }
}
