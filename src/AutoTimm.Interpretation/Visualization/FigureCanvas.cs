using AutoTimm.Imaging;
using SkiaSharp;

namespace AutoTimm.Interpretation.Visualization;

/// <summary>
/// A white raster a figure is drawn on with SkiaSharp: images copied pixel for pixel at integer positions,
/// anti-aliased text in the embedded fonts, and colorbars. <see cref="ToImage"/> reads the result back.
/// </summary>
internal sealed class FigureCanvas : IDisposable
{
    private readonly SKBitmap _bitmap;
    private readonly SKCanvas _canvas;

    public FigureCanvas(int width, int height)
    {
        RgbImage.CheckSize(width, height);
        if ((long)width * height * 4 > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(width), $"A {width}x{height} figure is too large.");
        // No colour space: colours are drawn as given, with no conversion.
        _bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        _canvas = new SKCanvas(_bitmap);
        _canvas.Clear(FigureStyle.Background);
        Width = width;
        Height = height;
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Copies <paramref name="image"/> with its top-left corner at (x, y), unscaled.</summary>
    public void DrawImage(RgbImage image, int x, int y)
    {
        using var bitmap = ToBitmap(image);
        _canvas.DrawBitmap(bitmap, x, y);
    }

    /// <summary>
    /// Outlines <paramref name="box"/> (canvas pixels) in <paramref name="color"/> and writes <paramref name="caption"/>
    /// on a filled tab along its top edge (inside the box when it touches the top of the image).
    /// </summary>
    public void DrawBox(SKRect box, string caption, SKColor color, SKTypeface typeface, float textSize)
    {
        using var stroke = new SKPaint { Color = color, IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = 2 };
        _canvas.DrawRect(box, stroke);
        if (string.IsNullOrEmpty(caption)) return;
        float width = MeasureText(caption, typeface, textSize) + 6, height = textSize + 4;
        float top = box.Top - height >= 0 ? box.Top - height : box.Top;
        var tab = new SKRect(box.Left - 1, top, box.Left - 1 + width, top + height);
        using var fill = new SKPaint { Color = color, Style = SKPaintStyle.Fill };
        _canvas.DrawRect(tab, fill);
        DrawText(caption, new SKRect(tab.Left + 3, tab.Top, tab.Right - 3, tab.Bottom), typeface, textSize, textSize * 0.7f, SKColors.White, SKTextAlign.Left);
    }

    /// <summary>
    /// Draws one line of text in the box, vertically centred, aligned left, centre or right. The font shrinks (down
    /// to <paramref name="minSize"/>) until the text fits the box width; if it still does not fit it is cut with an
    /// ellipsis, so text never leaves its box.
    /// </summary>
    public void DrawText(string text, SKRect box, SKTypeface typeface, float size, float minSize, SKColor color, SKTextAlign align = SKTextAlign.Center)
    {
        if (string.IsNullOrEmpty(text)) return;
        using var font = FitFont(text, typeface, size, minSize, box.Width);
        var line = Ellipsize(text, font, box.Width);
        var metrics = font.Metrics;
        var baseline = box.MidY - ((metrics.Ascent + metrics.Descent) / 2f);
        var x = align switch
        {
            SKTextAlign.Left => box.Left,
            SKTextAlign.Right => box.Right,
            _ => box.MidX,
        };
        using var paint = new SKPaint { Color = color, IsAntialias = true };
        _canvas.DrawText(line, x, baseline, align, font, paint);
    }

    /// <summary>
    /// A vertical colorbar for values 0 (bottom) to 1 (top) in the bar rectangle, outlined, with ticks and labels
    /// at 0, 0.5 and 1 to its right.
    /// </summary>
    public void DrawColorbar(Colormap colormap, int x, int y, int width, int height)
    {
        var bar = RgbImage.Create(width, height, (_, row) => colormap.Map(1f - ((row + 0.5f) / height)));
        DrawImage(bar, x, y);

        using var stroke = new SKPaint { Color = FigureStyle.AxisColor, IsAntialias = false, Style = SKPaintStyle.Stroke, StrokeWidth = 1f };
        // Half-pixel offsets put 1-pixel lines exactly on pixel rows/columns just outside the bar.
        _canvas.DrawRect(new SKRect(x - 0.5f, y - 0.5f, x + width + 0.5f, y + height + 0.5f), stroke);

        var tickX = x + width + 1;
        foreach (var (value, label) in new[] { (0f, "0"), (0.5f, "0.5"), (1f, "1") })
        {
            var row = y - 1 + (int)MathF.Round((1f - value) * (height + 1));
            _canvas.DrawLine(tickX, row + 0.5f, tickX + FigureStyle.TickLength, row + 0.5f, stroke);
            var labelLeft = tickX + FigureStyle.TickLength + FigureStyle.TickLabelGap;
            var box = new SKRect(labelLeft, row - 10, labelLeft + FigureStyle.TickLabelWidth, row + 11);
            DrawText(label, box, FigureFonts.Regular, FigureStyle.TickLabelSize, FigureStyle.TickLabelSize, FigureStyle.AxisColor, SKTextAlign.Left);
        }
    }

    /// <summary>The figure as an RGB image.</summary>
    public RgbImage ToImage()
    {
        _canvas.Flush();
        var rgba = _bitmap.GetPixelSpan();
        var rgb = new byte[Width * Height * 3];
        PixelPacking.RgbaToRgb(rgba[..(Width * Height * 4)], rgb);
        return RgbImage.Wrap(Width, Height, rgb);
    }

    public void Dispose()
    {
        _canvas.Dispose();
        _bitmap.Dispose();
    }

    /// <summary>Width of <paramref name="text"/> in a figure font of the given typeface and size.</summary>
    public static float MeasureText(string text, SKTypeface typeface, float size)
    {
        using var font = FigureFonts.Create(typeface, size);
        return font.MeasureText(text);
    }

    private static SKFont FitFont(string text, SKTypeface typeface, float size, float minSize, float width)
    {
        var font = FigureFonts.Create(typeface, size);
        while (font.Size > minSize && font.MeasureText(text) > width)
            font.Size = Math.Max(minSize, font.Size - 0.5f);
        return font;
    }

    private static string Ellipsize(string text, SKFont font, float width)
    {
        if (font.MeasureText(text) <= width) return text;
        const string ellipsis = "\u2026";
        for (var length = text.Length - 1; length > 0; length--)
        {
            var candidate = text[..length].TrimEnd() + ellipsis;
            if (font.MeasureText(candidate) <= width) return candidate;
        }
        return ellipsis;
    }

    private static SKBitmap ToBitmap(RgbImage image)
    {
        var bitmap = new SKBitmap(new SKImageInfo(image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        PixelPacking.RgbToOpaqueRgba(image.Pixels, bitmap.GetPixelSpan()[..(image.Width * image.Height * 4)]);
        bitmap.NotifyPixelsChanged();
        return bitmap;
    }
}
