using SkiaSharp;

namespace AutoTimm.Imaging;

/// <summary>
/// Turns decoded pixels upright according to the EXIF orientation tag, as PIL's <c>ImageOps.exif_transpose</c>
/// does: cameras store sensor-order pixels plus a tag, and viewers (and people labelling data) see them rotated.
/// </summary>
internal static class ExifOrientation
{
    public static RgbImage Apply(RgbImage image, SKEncodedOrigin origin)
    {
        if (origin == SKEncodedOrigin.TopLeft) return image;
        var w = image.Width;
        var h = image.Height;
        var swaps = origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
        var outW = swaps ? h : w;
        var outH = swaps ? w : h;
        // Source column/row for output pixel (x, y); origin names where the stored first row/column should go.
        Func<int, int, (int X, int Y)> source = origin switch
        {
            SKEncodedOrigin.TopRight => (x, y) => (w - 1 - x, y),
            SKEncodedOrigin.BottomRight => (x, y) => (w - 1 - x, h - 1 - y),
            SKEncodedOrigin.BottomLeft => (x, y) => (x, h - 1 - y),
            SKEncodedOrigin.LeftTop => (x, y) => (y, x),
            SKEncodedOrigin.RightTop => (x, y) => (y, h - 1 - x),
            SKEncodedOrigin.RightBottom => (x, y) => (w - 1 - y, h - 1 - x),
            SKEncodedOrigin.LeftBottom => (x, y) => (w - 1 - y, x),
            _ => (x, y) => (x, y),
        };
        var src = image.Pixels;
        var data = new byte[src.Length];
        for (var y = 0; y < outH; y++)
        {
            for (var x = 0; x < outW; x++)
            {
                var (sx, sy) = source(x, y);
                var s = ((sy * w) + sx) * 3;
                var d = ((y * outW) + x) * 3;
                data[d] = src[s];
                data[d + 1] = src[s + 1];
                data[d + 2] = src[s + 2];
            }
        }
        return RgbImage.Wrap(outW, outH, data);
    }
}
