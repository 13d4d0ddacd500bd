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
        if (origin is SKEncodedOrigin.TopLeft or < SKEncodedOrigin.TopLeft or > SKEncodedOrigin.LeftBottom) return image;
        var (w, h) = (image.Width, image.Height);
        // Source pixel of output (x, y) is (x0 + x*xx + y*xy, y0 + x*yx + y*yy): the tag says where the stored
        // first row and column belong, so each case is a flip, a quarter turn or a transpose.
        var (x0, xx, xy, y0, yx, yy) = origin switch
        {
            SKEncodedOrigin.TopRight => (w - 1, -1, 0, 0, 0, 1),
            SKEncodedOrigin.BottomRight => (w - 1, -1, 0, h - 1, 0, -1),
            SKEncodedOrigin.BottomLeft => (0, 1, 0, h - 1, 0, -1),
            SKEncodedOrigin.LeftTop => (0, 0, 1, 0, 1, 0),
            SKEncodedOrigin.RightTop => (0, 0, 1, h - 1, -1, 0),
            SKEncodedOrigin.RightBottom => (w - 1, 0, -1, h - 1, -1, 0),
            _ => (w - 1, 0, -1, 0, 1, 0), // LeftBottom
        };
        var swaps = origin >= SKEncodedOrigin.LeftTop;
        var (outW, outH) = swaps ? (h, w) : (w, h);
        var src = image.Pixels;
        var data = new byte[src.Length];
        var stepX = ((yx * w) + xx) * 3;
        for (var y = 0; y < outH; y++)
        {
            var s = ((((y0 + (y * yy)) * w) + x0 + (y * xy)) * 3);
            var d = y * outW * 3;
            for (var x = 0; x < outW; x++, s += stepX, d += 3)
            {
                data[d] = src[s];
                data[d + 1] = src[s + 1];
                data[d + 2] = src[s + 2];
            }
        }
        return RgbImage.Wrap(outW, outH, data);
    }
}
