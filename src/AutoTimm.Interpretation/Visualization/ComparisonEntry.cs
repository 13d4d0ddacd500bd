namespace AutoTimm.Interpretation.Visualization;

/// <summary>One method's explanation in a comparison figure.</summary>
public sealed record ComparisonEntry
{
    /// <summary>Creates an entry.</summary>
    /// <param name="heatmap">The explanation (its <see cref="Heatmap.Method"/> names the panel unless <paramref name="title"/> is given).</param>
    /// <param name="title">Panel title; null for the method's display name.</param>
    /// <param name="elapsedMilliseconds">How long the explanation took, shown in the title when given.</param>
    public ComparisonEntry(Heatmap heatmap, string? title = null, double? elapsedMilliseconds = null)
    {
        ArgumentNullException.ThrowIfNull(heatmap);
        if (elapsedMilliseconds is { } ms && !(ms >= 0.0 && double.IsFinite(ms)))
            throw new ArgumentOutOfRangeException(nameof(elapsedMilliseconds), ms, "Elapsed time must be a finite, non-negative number of milliseconds.");
        Heatmap = heatmap;
        Title = title;
        ElapsedMilliseconds = elapsedMilliseconds;
    }

    /// <summary>The explanation.</summary>
    public Heatmap Heatmap { get; }

    /// <summary>Panel title; null for the method's display name (e.g. <c>Grad-CAM</c> for <c>gradcam</c>).</summary>
    public string? Title { get; }

    /// <summary>How long the explanation took, in milliseconds, or null.</summary>
    public double? ElapsedMilliseconds { get; }

    /// <summary>Boxes drawn on this entry's overlay (e.g. the detection it explains); the figure options' boxes when null.</summary>
    public IReadOnlyList<FigureBox>? Boxes { get; init; }
}
