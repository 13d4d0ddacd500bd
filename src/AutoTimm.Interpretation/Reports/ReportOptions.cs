using AutoTimm.Interpretation.Visualization;

namespace AutoTimm.Interpretation.Reports;

/// <summary>How an <see cref="HtmlReport"/> looks.</summary>
public sealed record ReportOptions
{
    /// <summary>The defaults.</summary>
    public static ReportOptions Default { get; } = new();

    /// <summary>Page title.</summary>
    public string Title { get; init; } = "AutoTimm explanations";

    /// <summary>Colormap of the heatmaps (<see cref="Colormaps.Names"/>).</summary>
    public string Colormap { get; init; } = Colormaps.Default;

    /// <summary>Initial heatmap opacity over the image, in [0,1]; the page has a control for it.</summary>
    public double Alpha { get; init; } = Overlay.DefaultAlpha;
}
