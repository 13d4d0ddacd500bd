using AutoTimm.Imaging;
using SkiaSharp;

namespace AutoTimm.Interpretation.Visualization;

/// <summary>What goes into panels: the displayed size of an image and its resampled image, map and overlay; titles.</summary>
internal static class FigurePanels
{
    /// <summary>
    /// The displayed size of a <paramref name="width"/> x <paramref name="height"/> image: scaled (aspect kept) so
    /// its longer side is <see cref="FigureOptions.MinPanelSize"/> when smaller, <see cref="FigureOptions.MaxPanelSize"/>
    /// when larger, else unchanged.
    /// </summary>
    public static (int Width, int Height) DisplaySize(int width, int height, FigureOptions options)
    {
        var longer = Math.Max(width, height);
        var target = Math.Clamp(longer, options.MinPanelSize, options.MaxPanelSize);
        if (target == longer) return (width, height);
        var scale = (double)target / longer;
        return (Math.Max(1, (int)Math.Round(width * scale)), Math.Max(1, (int)Math.Round(height * scale)));
    }

    /// <summary>The image resampled to its displayed size.</summary>
    public static RgbImage DisplayImage(RgbImage image, (int Width, int Height) size, FigureOptions options) =>
        image.Resize(size.Width, size.Height, options.Interpolation);

    /// <summary>
    /// The heatmap and overlay panels for an image already at its displayed size: the map is resampled to that size
    /// first, then coloured and blended, so panels stay smooth however small the map is.
    /// </summary>
    public static (RgbImage Heatmap, RgbImage Overlay) Render(RgbImage displayImage, Heatmap heatmap, FigureOptions options)
    {
        var (width, height) = (displayImage.Width, displayImage.Height);
        var map = options.Interpolation == ResizeInterpolation.Nearest
            ? MapResampler.Nearest(heatmap.Values, heatmap.Width, heatmap.Height, width, height)
            : MapResampler.Bilinear(heatmap.Values, heatmap.Width, heatmap.Height, width, height);
        var colored = Colormaps.Apply(map, width, height, options.Colormap);
        return (colored, Overlay.Blend(displayImage, colored, options.Alpha));
    }

    /// <summary>
    /// Wraps title parts into lines no wider than <paramref name="width"/> at the title font size, breaking only
    /// between parts; a part too wide on its own gets a line to itself (and is shrunk or cut when drawn). A part
    /// that starts a line is capitalized.
    /// </summary>
    public static List<string> WrapTitle(IReadOnlyList<string> parts, float width)
    {
        var lines = new List<string>();
        var current = string.Empty;
        foreach (var part in parts)
        {
            if (current.Length == 0)
            {
                current = part;
                continue;
            }
            var joined = current + FigureText.Separator + part;
            if (FigureCanvas.MeasureText(joined, FigureFonts.Bold, FigureStyle.TitleSize) <= width)
            {
                current = joined;
            }
            else
            {
                lines.Add(current);
                current = Capitalize(part);
            }
        }
        if (current.Length > 0) lines.Add(current);
        return lines;
    }

    private static string Capitalize(string text) =>
        text.Length > 0 && char.IsLower(text[0]) ? char.ToUpperInvariant(text[0]) + text[1..] : text;

    /// <summary>The title lines of a figure: <see cref="FigureOptions.Title"/> when set (empty: none), else the generated parts wrapped.</summary>
    public static List<string> TitleLines(FigureOptions options, IReadOnlyList<string> generated, float width)
    {
        if (options.Title is { } title) return title.Length == 0 ? [] : [title];
        return WrapTitle(generated, width);
    }

    /// <summary>Height of the title block for <paramref name="lines"/> lines (0 without a title).</summary>
    public static int TitleHeight(int lines) =>
        lines == 0 ? 0 : (lines * FigureStyle.TitleLineHeight) + FigureStyle.TitleBottomPadding;

    /// <summary>Draws title lines centred across the figure, starting at the top margin.</summary>
    public static void DrawTitle(FigureCanvas canvas, IReadOnlyList<string> lines)
    {
        var top = (float)FigureStyle.Margin;
        foreach (var line in lines)
        {
            var box = new SKRect(FigureStyle.Margin, top, canvas.Width - FigureStyle.Margin, top + FigureStyle.TitleLineHeight);
            canvas.DrawText(line, box, FigureFonts.Bold, FigureStyle.TitleSize, FigureStyle.TitleMinSize, FigureStyle.TitleColor);
            top += FigureStyle.TitleLineHeight;
        }
    }

    /// <summary>Draws a panel title centred above a panel whose image starts at (x, imageTop).</summary>
    public static void DrawPanelTitle(FigureCanvas canvas, string title, int x, int width, int imageTop)
    {
        // Panel titles may overhang a narrow panel into the gaps beside it, never further.
        var slack = FigureStyle.PanelGap / 2f;
        var box = new SKRect(x - slack, imageTop - FigureStyle.PanelTitleHeight, x + width + slack, imageTop - 2);
        canvas.DrawText(title, box, FigureFonts.Bold, FigureStyle.PanelTitleSize, FigureStyle.PanelTitleMinSize, FigureStyle.PanelTitleColor);
    }

    /// <summary>Draws <see cref="FigureOptions.Boxes"/> over a panel at (x, y) of the given size, scaled from the heatmap's grid.</summary>
    public static void DrawBoxes(FigureCanvas canvas, FigureOptions options, Heatmap heatmap, int x, int y, int width, int height)
    {
        if (options.Boxes is not { Count: > 0 } boxes) return;
        float sx = (float)width / heatmap.Width, sy = (float)height / heatmap.Height;
        foreach (var (box, i) in boxes.Select((b, i) => (b, i)))
        {
            var rect = new SkiaSharp.SKRect(x + box.Box.X0 * sx, y + box.Box.Y0 * sy, x + box.Box.X1 * sx, y + box.Box.Y1 * sy);
            canvas.DrawBox(rect, box.Caption, FigureStyle.BoxColors[(box.ColorIndex ?? i) % FigureStyle.BoxColors.Length], FigureFonts.Regular, FigureStyle.BoxCaptionSize);
        }
    }
}
