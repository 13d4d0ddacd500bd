using AutoTimm.Imaging;

namespace AutoTimm.Interpretation.Visualization;

/// <summary>How figures are drawn: colours, panel sizes, labels. Every property has a usable default.</summary>
public sealed record FigureOptions
{
    /// <summary>Options with every default.</summary>
    public static FigureOptions Default { get; } = new();

    /// <summary>Colormap of heatmaps, overlays and the colorbar (see <see cref="Colormaps.Names"/>).</summary>
    public string Colormap { get; init; } = Colormaps.Default;

    /// <summary>Opacity of the heatmap in overlay panels, in [0, 1] (see <see cref="Overlay"/>).</summary>
    public double Alpha { get; init; } = Overlay.DefaultAlpha;

    /// <summary>
    /// Smallest displayed size of a panel's longer side, in pixels: smaller images (a 64x64 input, say) are
    /// enlarged to it so the figure stays readable. Default 256.
    /// </summary>
    public int MinPanelSize { get; init; } = 256;

    /// <summary>Largest displayed size of a panel's longer side, in pixels: larger images are reduced to it. Default 512.</summary>
    public int MaxPanelSize { get; init; } = 512;

    /// <summary>
    /// How images and maps are resampled to the panel size: <see cref="ResizeInterpolation.Bilinear"/> (default)
    /// for smooth display, <see cref="ResizeInterpolation.Nearest"/> to show individual input pixels.
    /// </summary>
    public ResizeInterpolation Interpolation { get; init; } = ResizeInterpolation.Bilinear;

    /// <summary>Class names by index, used to label predicted and explained classes; without them, indices are shown.</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>Figure title replacing the generated one (prediction, confidence, explained class, method); empty for none.</summary>
    public string? Title { get; init; }

    /// <summary>Whether to draw the colorbar (value scale 0 to 1). Default true.</summary>
    public bool ShowColorbar { get; init; } = true;

    /// <summary>Checks every value, naming the first bad one.</summary>
    /// <exception cref="ArgumentException">A value is out of range or the colormap is unknown.</exception>
    /// <summary>
    /// Boxes to draw on the original and overlay panels (a detection's box with its label and score), in the
    /// heatmap's pixel coordinates (the model input's); none when null.
    /// </summary>
    public IReadOnlyList<FigureBox>? Boxes { get; init; }

    internal void Validate()
    {
        Colormaps.Get(Colormap);
        if (!(Alpha >= 0.0 && Alpha <= 1.0))
            throw new ArgumentOutOfRangeException(nameof(Alpha), Alpha, "Alpha must be in [0, 1].");
        if (MinPanelSize < 16 || MinPanelSize > 4096)
            throw new ArgumentOutOfRangeException(nameof(MinPanelSize), MinPanelSize, "MinPanelSize must be in [16, 4096].");
        if (MaxPanelSize < MinPanelSize || MaxPanelSize > 4096)
            throw new ArgumentOutOfRangeException(nameof(MaxPanelSize), MaxPanelSize, $"MaxPanelSize must be in [MinPanelSize ({MinPanelSize}), 4096].");
        if (!Enum.IsDefined(Interpolation))
            throw new ArgumentOutOfRangeException(nameof(Interpolation), Interpolation, "Unknown interpolation.");
    }

    /// <summary>The label of a class: its name when known, else its index.</summary>
    internal string LabelOf(int classIndex) =>
        ClassNames is { } names && classIndex >= 0 && classIndex < names.Count && !string.IsNullOrWhiteSpace(names[classIndex])
            ? names[classIndex]
            : classIndex.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
