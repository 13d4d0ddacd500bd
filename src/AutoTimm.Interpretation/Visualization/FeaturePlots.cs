using AutoTimm.Interpretation.Features;
using AutoTimm.Native;
using SkiaSharp;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Visualization;

/// <summary>
/// The figures of <see cref="FeatureVisualizer"/>, drawn with ScottPlot: a grid of feature maps, a comparison of layers,
/// a receptive field. Written as PNG or as SVG (by the path's extension), at a scale factor for print; a heading above
/// multi-panel figures.
/// </summary>
internal static class FeaturePlots
{
    private const int Panel = 180, Heading = 36;

    /// <summary>One heatmap per channel, each scaled to its own range, titled with the channel index.</summary>
    public static void SaveFeatureGrid(Tensor maps, IReadOnlyList<int> channels, string title, string colormap, string path, double scale)
    {
        PlotFonts.Install();
        // The channels' views and copies belong to this scope (callers such as `autotimm features` open none).
        using var scope = NewDisposeScope();
        int columns = (int)Math.Ceiling(Math.Sqrt(channels.Count)), rows = (channels.Count + columns - 1) / columns;
        var plots = channels.Select(_ => new ScottPlot.Plot()).ToArray();
        var cmap = new PlotColormap(Colormaps.Get(colormap));
        foreach (var (channel, plot) in channels.Zip(plots))
        {
            var map = plot.Add.Heatmap(Grid(maps[channel]));
            map.Colormap = cmap;
            plot.HideAxesAndGrid();
            plot.Axes.SquareUnits();
            plot.Title($"ch {channel}", 13);
        }
        Save(plots, rows, columns, Panel, Panel, title, path, scale);
    }

    /// <summary>Mean, standard deviation, sparsity and share of active channels per layer, as bars.</summary>
    public static void SaveLayerComparison(IReadOnlyList<FeatureStatistics> statistics, string path, double scale)
    {
        ArgumentNullException.ThrowIfNull(statistics);
        if (statistics.Count == 0) throw new ArgumentException("no layer statistics to plot", nameof(statistics));
        PlotFonts.Install();
        var panels = new (string, Func<FeatureStatistics, double>)[]
        {
            ("mean activation", s => s.Mean), ("standard deviation", s => s.Std),
            ("sparsity (share not positive)", s => s.Sparsity), ("active channels (share)", s => (double)s.ActiveChannels / s.Channels),
        };
        var plots = panels.Select(_ => new ScottPlot.Plot()).ToArray();
        var positions = Enumerable.Range(0, statistics.Count).Select(i => (double)i).ToArray();
        var labels = statistics.Select(s => s.Layer).ToArray();
        foreach (var ((name, value), plot) in panels.Zip(plots))
        {
            plot.Add.Bars(positions, statistics.Select(value).ToArray());
            plot.Axes.Bottom.SetTicks(positions, labels);
            plot.Axes.Margins(bottom: 0);
            plot.Title(name, 14);
        }
        Save(plots, 2, 2, 450, 320, "Layer comparison", path, scale);
    }

    /// <summary>A receptive field as a heatmap over the input, with a colorbar.</summary>
    public static void SaveReceptiveField(ReceptiveField field, string colormap, string path, double scale)
    {
        ArgumentNullException.ThrowIfNull(field);
        PlotFonts.Install();
        var plot = new ScottPlot.Plot();
        var values = new double[field.Height, field.Width];
        for (int y = 0; y < field.Height; y++)
            for (int x = 0; x < field.Width; x++) values[y, x] = field.Raw[y * field.Width + x];
        var map = plot.Add.Heatmap(values);
        map.Colormap = new PlotColormap(Colormaps.Get(colormap));
        plot.Add.ColorBar(map).Label = field.Method == SensitivityMethod.Gradient ? "|d mean activation / d input|" : "drop of the mean activation";
        plot.Axes.SquareUnits();
        plot.HideAxesAndGrid();
        plot.Title(field.Method == SensitivityMethod.Gradient ? "input-gradient sensitivity" : "occlusion sensitivity", 14);
        Save([plot], 1, 1, 620, 560, $"{field.Layer}, channel {field.Channel}", path, scale);
    }

    /// <summary>
    /// Writes <paramref name="plots"/> as a grid of <paramref name="rows"/> x <paramref name="columns"/> panels under a
    /// heading, atomically: a PNG at <paramref name="scale"/> times the size, or an SVG of the same layout (each panel
    /// ScottPlot's own SVG, placed in the grid; vector output needs no scale).
    /// </summary>
    private static void Save(IReadOnlyList<ScottPlot.Plot> plots, int rows, int columns, int panelWidth, int panelHeight, string heading, string path, double scale)
    {
        if (!(scale is > 0 and <= 8)) throw new ArgumentOutOfRangeException(nameof(scale), scale, "the figure scale must be above 0 and at most 8");
        var extension = Path.GetExtension(path);
        bool svg = extension.Equals(".svg", StringComparison.OrdinalIgnoreCase);
        if (!svg && !extension.Equals(".png", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"figure {path}: give a .png or .svg file name", nameof(path));
        AtomicFile.WriteAllBytes(path, svg
            ? Svg(plots, columns, panelWidth, panelHeight, heading, rows * panelHeight + Heading)
            : Png(plots, rows, columns, panelWidth, panelHeight, heading, scale));
    }

    private static byte[] Png(IReadOnlyList<ScottPlot.Plot> plots, int rows, int columns, int panelWidth, int panelHeight, string heading, double scale)
    {
        var multiplot = new ScottPlot.Multiplot(plots[0]);
        foreach (var plot in plots.Skip(1)) ScottPlot.IMultiplotExtensions.AddPlot(multiplot, plot);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Grid(rows, columns);
        foreach (var plot in plots) plot.ScaleFactor = (float)scale;
        int w = (int)Math.Round(columns * panelWidth * scale), top = (int)Math.Round(Heading * scale), h = (int)Math.Round(rows * panelHeight * scale) + top;
        using var surface = SKSurface.Create(new SKImageInfo(w, h)) ?? throw new InvalidOperationException($"cannot allocate a {w}x{h} figure");
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        // The layouts place panels from the rectangle's size, not its offset: move the canvas below the heading.
        canvas.Save();
        canvas.Translate(0, top);
        multiplot.Render(canvas, new ScottPlot.PixelRect(0, w, h - top, 0));
        canvas.Restore();
        // After the panels: rendering clears the whole canvas to the figure background.
        using var band = new SKPaint { Color = SKColors.White };
        canvas.DrawRect(0, 0, w, top, band);
        using var font = new SKFont(FigureFonts.Bold, (float)(16 * scale));
        using var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        canvas.DrawText(heading, w / 2f, top * 0.7f, SKTextAlign.Center, font, paint);
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    private static byte[] Svg(IReadOnlyList<ScottPlot.Plot> plots, int columns, int panelWidth, int panelHeight, string heading, int height)
    {
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        int width = columns * panelWidth;
        var svg = new System.Text.StringBuilder();
        svg.Append(invariant, $"<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\">\n");
        svg.Append(invariant, $"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>\n");
        svg.Append(invariant, $"<text x=\"{width / 2}\" y=\"{Heading * 0.7:F1}\" text-anchor=\"middle\" font-family=\"DejaVu Sans, sans-serif\" font-weight=\"bold\" font-size=\"16\">{System.Security.SecurityElement.Escape(heading)}</text>\n");
        for (int i = 0; i < plots.Count; i++)
        {
            var panel = plots[i].GetSvgXml(panelWidth, panelHeight);
            int open = panel.IndexOf("<svg", StringComparison.Ordinal);
            if (open < 0) throw new InvalidOperationException("ScottPlot returned no SVG element");
            // Each panel is ScottPlot's own SVG, nested at its place in the grid, with its ids made unique.
            var body = panel[open..].Replace("id=\"", $"id=\"p{i}_", StringComparison.Ordinal).Replace("url(#", $"url(#p{i}_", StringComparison.Ordinal)
                .Replace("href=\"#", $"href=\"#p{i}_", StringComparison.Ordinal);
            int x = i % columns * panelWidth, y = Heading + i / columns * panelHeight;
            svg.Append(invariant, $"<svg x=\"{x}\" y=\"{y}\"").Append(body.AsSpan(4)).Append('\n');
        }
        svg.Append("</svg>\n");
        return System.Text.Encoding.UTF8.GetBytes(svg.ToString());
    }

    private static double[,] Grid(Tensor map)
    {
        int h = (int)map.shape[0], w = (int)map.shape[1];
        var values = map.to(ScalarType.Float64).CopyToArray<double>();
        var grid = new double[h, w];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) grid[y, x] = values[y * w + x];
        return grid;
    }

    /// <summary>The library's colormap tables for ScottPlot.</summary>
    private sealed class PlotColormap(Colormap colormap) : ScottPlot.IColormap
    {
        public string Name => colormap.Name;

        public ScottPlot.Color GetColor(double position)
        {
            var rgb = colormap.Map((float)Math.Clamp(double.IsFinite(position) ? position : 0, 0, 1));
            return new ScottPlot.Color(rgb.R, rgb.G, rgb.B);
        }
    }
}
