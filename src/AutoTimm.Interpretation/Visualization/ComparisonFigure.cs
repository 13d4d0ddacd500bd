using AutoTimm.Imaging;

namespace AutoTimm.Interpretation.Visualization;

/// <summary>
/// One image explained by several methods, as PNG: the original, then one overlay per method titled with the
/// method's name (and how long it took, when known). What <c>compare_methods</c> saves.
/// </summary>
/// <remarks>
/// Panels are arranged by <see cref="FigureLayout"/> and sized as in <see cref="ExplanationFigure"/>. A colorbar
/// (0 to 1) stands to the right of the row of the first overlay (the first row; the second in a vertical layout).
/// The title gives the prediction and the explained class of the first entry; when the entries explain different
/// classes, the explained class is left out.
/// </remarks>
public static class ComparisonFigure
{
    /// <summary>Draws the figure.</summary>
    /// <param name="image">The image explained.</param>
    /// <param name="entries">One explanation per method, at least one.</param>
    /// <param name="layout">How panels are arranged.</param>
    /// <param name="options">Colours, sizes, class names; null for defaults.</param>
    /// <returns>The figure as an RGB image.</returns>
    /// <exception cref="ArgumentException"><paramref name="entries"/> is empty, or an option is invalid.</exception>
    public static RgbImage Render(RgbImage image, IReadOnlyList<ComparisonEntry> entries, FigureLayout layout = FigureLayout.Horizontal, FigureOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0) throw new ArgumentException("A comparison needs at least one explanation.", nameof(entries));
        for (var i = 0; i < entries.Count; i++) ArgumentNullException.ThrowIfNull(entries[i], $"{nameof(entries)}[{i}]");
        if (!Enum.IsDefined(layout)) throw new ArgumentOutOfRangeException(nameof(layout), layout, "Unknown layout.");
        options ??= FigureOptions.Default;
        options.Validate();

        var (rows, columns) = Grid(entries.Count + 1, layout);
        var (pw, ph) = FigurePanels.DisplaySize(image.Width, image.Height, options);
        var colorbar = options.ShowColorbar ? FigureStyle.ColorbarBlockWidth : 0;
        var width = (2 * FigureStyle.Margin) + (columns * pw) + ((columns - 1) * FigureStyle.PanelGap) + colorbar;
        var titleLines = FigurePanels.TitleLines(options, TitleParts(entries, options), width - (2 * FigureStyle.Margin));
        var gridTop = FigureStyle.Margin + FigurePanels.TitleHeight(titleLines.Count);
        var cellHeight = FigureStyle.PanelTitleHeight + ph;
        var height = gridTop + (rows * cellHeight) + ((rows - 1) * FigureStyle.RowGap) + FigureStyle.Margin;

        using var canvas = new FigureCanvas(width, height);
        FigurePanels.DrawTitle(canvas, titleLines);
        var original = FigurePanels.DisplayImage(image, (pw, ph), options);
        for (var cell = 0; cell <= entries.Count; cell++)
        {
            var x = FigureStyle.Margin + ((cell % columns) * (pw + FigureStyle.PanelGap));
            var imageTop = gridTop + ((cell / columns) * (cellHeight + FigureStyle.RowGap)) + FigureStyle.PanelTitleHeight;
            if (cell == 0)
            {
                canvas.DrawImage(original, x, imageTop);
                FigurePanels.DrawPanelTitle(canvas, "Original", x, pw, imageTop);
                FigurePanels.DrawBoxes(canvas, options, entries[0].Heatmap, x, imageTop, pw, ph);
                continue;
            }
            var entry = entries[cell - 1];
            var (_, overlay) = FigurePanels.Render(original, entry.Heatmap, options);
            canvas.DrawImage(overlay, x, imageTop);
            FigurePanels.DrawPanelTitle(canvas, PanelTitle(entry), x, pw, imageTop);
            FigurePanels.DrawBoxes(canvas, entry.Boxes is null ? options : options with { Boxes = entry.Boxes }, entry.Heatmap, x, imageTop, pw, ph);
        }
        if (options.ShowColorbar)
        {
            var barX = FigureStyle.Margin + (columns * pw) + ((columns - 1) * FigureStyle.PanelGap) + FigureStyle.ColorbarGap;
            // Beside the row of the first overlay: the first row, or the second in a single column.
            var barRow = 1 / columns;
            var barY = gridTop + (barRow * (cellHeight + FigureStyle.RowGap)) + FigureStyle.PanelTitleHeight;
            canvas.DrawColorbar(Colormaps.Get(options.Colormap), barX, barY, FigureStyle.ColorbarWidth, ph);
        }
        return canvas.ToImage();
    }

    /// <summary>Draws the figure for heatmaps titled by their methods, without timings.</summary>
    /// <param name="image">The image explained.</param>
    /// <param name="heatmaps">One explanation per method, at least one.</param>
    /// <param name="layout">How panels are arranged.</param>
    /// <param name="options">Colours, sizes, class names; null for defaults.</param>
    public static RgbImage Render(RgbImage image, IReadOnlyList<Heatmap> heatmaps, FigureLayout layout = FigureLayout.Horizontal, FigureOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(heatmaps);
        return Render(image, heatmaps.Select(h => new ComparisonEntry(h)).ToArray(), layout, options);
    }

    /// <summary>Draws the figure and writes it as PNG to <paramref name="path"/> atomically (see <see cref="ImageIO.SavePng"/>).</summary>
    /// <param name="image">The image explained.</param>
    /// <param name="entries">One explanation per method, at least one.</param>
    /// <param name="path">The PNG file to write; its directory must exist.</param>
    /// <param name="layout">How panels are arranged.</param>
    /// <param name="options">Colours, sizes, class names; null for defaults.</param>
    /// <returns>The figure as an RGB image.</returns>
    public static RgbImage Save(RgbImage image, IReadOnlyList<ComparisonEntry> entries, string path, FigureLayout layout = FigureLayout.Horizontal, FigureOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var figure = Render(image, entries, layout, options);
        ImageIO.SavePng(figure, path);
        return figure;
    }

    /// <summary>Rows and columns for <paramref name="panels"/> panels.</summary>
    internal static (int Rows, int Columns) Grid(int panels, FigureLayout layout)
    {
        switch (layout)
        {
            case FigureLayout.Horizontal:
                return (1, panels);
            case FigureLayout.Vertical:
                return (panels, 1);
            default:
                var columns = (int)Math.Ceiling(Math.Sqrt(panels));
                return ((panels + columns - 1) / columns, columns);
        }
    }

    private static string PanelTitle(ComparisonEntry entry)
    {
        var title = entry.Title ?? FigureText.MethodName(entry.Heatmap.Method);
        return entry.ElapsedMilliseconds is { } ms ? $"{title} ({FigureText.Milliseconds(ms)})" : title;
    }

    private static List<string> TitleParts(IReadOnlyList<ComparisonEntry> entries, FigureOptions options)
    {
        var first = entries[0].Heatmap;
        var parts = FigureText.TitleParts(first, options, withMethod: false);
        if (entries.Any(e => e.Heatmap.TargetClass != first.TargetClass)) parts.RemoveAt(1);
        return parts;
    }
}
