using System.Numerics;
using AutoTimm.Imaging;

namespace AutoTimm.Interpretation.Visualization;

/// <summary>
/// Draws colour-mapped saliency over an image (the Python AutoTimm's <c>overlay_heatmap</c>).
/// </summary>
/// <remarks>
/// Each output channel is <c>out = (1 - alpha) * image + alpha * color</c>, where <c>color</c> is the heatmap value
/// at that pixel through the colormap (see <see cref="Colormaps.Apply(Heatmap, string)"/>); the sum is computed in
/// single precision and rounded to the nearest byte, ties to even, as OpenCV's <c>addWeighted</c> which the Python
/// implementation calls. alpha = 0 gives the image, alpha = 1 the coloured heatmap.
/// </remarks>
public static class Overlay
{
    /// <summary>The default opacity of the heatmap, as in the Python AutoTimm.</summary>
    public const double DefaultAlpha = 0.4;

    /// <summary>Blends a heatmap's normalized values (<see cref="Heatmap.Values"/>) over <paramref name="image"/>.</summary>
    /// <param name="image">The image explained (usually the display image aligned with the model input).</param>
    /// <param name="heatmap">The explanation.</param>
    /// <param name="alpha">Opacity of the heatmap, in [0, 1].</param>
    /// <param name="colormap">A name from <see cref="Colormaps.Names"/>, optionally with <c>_r</c>.</param>
    /// <param name="resizeHeatmap">
    /// When the heatmap's size differs from the image's, resize it to the image bilinearly (half-pixel centres, as
    /// <c>cv2.resize</c>); when false, differing sizes are an error.
    /// </param>
    /// <returns>A new image of the size of <paramref name="image"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="alpha"/> is outside [0, 1] or not a number.</exception>
    /// <exception cref="ArgumentException">The sizes differ and <paramref name="resizeHeatmap"/> is false, or the colormap is unknown.</exception>
    public static RgbImage Heatmap(RgbImage image, Heatmap heatmap, double alpha = DefaultAlpha, string colormap = Colormaps.Default, bool resizeHeatmap = true)
    {
        ArgumentNullException.ThrowIfNull(heatmap);
        return Heatmap(image, heatmap.Values, heatmap.Width, heatmap.Height, alpha, colormap, resizeHeatmap);
    }

    /// <summary>Blends a row-major map of values in [0, 1] over <paramref name="image"/> (see the class remarks).</summary>
    /// <param name="image">The image to draw on.</param>
    /// <param name="values">Row-major map values, <c>width * height</c> of them, expected in [0, 1].</param>
    /// <param name="width">Map width.</param>
    /// <param name="height">Map height.</param>
    /// <param name="alpha">Opacity of the heatmap, in [0, 1].</param>
    /// <param name="colormap">A name from <see cref="Colormaps.Names"/>, optionally with <c>_r</c>.</param>
    /// <param name="resizeHeatmap">Resize the map to the image when sizes differ (else that is an error).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="alpha"/> is outside [0, 1] or not a number.</exception>
    /// <exception cref="ArgumentException">The map has the wrong number of values, the sizes differ and <paramref name="resizeHeatmap"/> is false, or the colormap is unknown.</exception>
    public static RgbImage Heatmap(RgbImage image, ReadOnlySpan<float> values, int width, int height, double alpha = DefaultAlpha, string colormap = Colormaps.Default, bool resizeHeatmap = true)
    {
        ArgumentNullException.ThrowIfNull(image);
        CheckAlpha(alpha);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (values.Length != (long)width * height)
            throw new ArgumentException($"Expected {(long)width * height} values for a {width}x{height} map, got {values.Length}.", nameof(values));
        var map = Colormaps.Get(colormap);

        float[]? resized = null;
        if (width != image.Width || height != image.Height)
        {
            if (!resizeHeatmap)
            {
                throw new ArgumentException(
                    $"The heatmap is {width}x{height} but the image is {image.Width}x{image.Height}; pass resizeHeatmap: true to resize the heatmap to the image.",
                    nameof(resizeHeatmap));
            }
            resized = MapResampler.Bilinear(values, width, height, image.Width, image.Height);
        }

        var colors = new byte[image.Width * image.Height * 3];
        map.MapInto(resized ?? values, colors);
        Blend(image.Pixels, colors, alpha, colors);
        return RgbImage.Wrap(image.Width, image.Height, colors);
    }

    /// <summary>
    /// Blends two images of the same size: <c>(1 - alpha) * image + alpha * top</c> per channel, rounded to the
    /// nearest byte (see the class remarks).
    /// </summary>
    /// <param name="image">The bottom image.</param>
    /// <param name="top">The image drawn over it, of the same size.</param>
    /// <param name="alpha">Opacity of <paramref name="top"/>, in [0, 1].</param>
    /// <exception cref="ArgumentException">The images differ in size.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="alpha"/> is outside [0, 1] or not a number.</exception>
    public static RgbImage Blend(RgbImage image, RgbImage top, double alpha)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(top);
        CheckAlpha(alpha);
        if (image.Width != top.Width || image.Height != top.Height)
            throw new ArgumentException($"Cannot blend a {top.Width}x{top.Height} image over a {image.Width}x{image.Height} one.", nameof(top));
        var result = new byte[image.Pixels.Length];
        Blend(image.Pixels, top.Pixels, alpha, result);
        return RgbImage.Wrap(image.Width, image.Height, result);
    }

    /// <summary><c>destination = (1 - alpha) * bottom + alpha * top</c>; <paramref name="destination"/> may be <paramref name="top"/>.</summary>
    private static void Blend(ReadOnlySpan<byte> bottom, ReadOnlySpan<byte> top, double alpha, Span<byte> destination)
    {
        // OpenCV's addWeighted on 8-bit images: weights as float, sum in float, round half to even, saturate.
        var a = (float)(1.0 - alpha);
        var b = (float)alpha;
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            // The same float products, sum and rounding, a vector of bytes at a time (a multiply and an add apart,
            // never fused, as in the loop below).
            Vector<float> va = new(a), vb = new(b), low = Vector<float>.Zero, high = new(255f);
            for (; i + Vector<byte>.Count <= bottom.Length; i += Vector<byte>.Count)
            {
                Widen(new Vector<byte>(bottom[i..]), out var b0, out var b1, out var b2, out var b3);
                Widen(new Vector<byte>(top[i..]), out var t0, out var t1, out var t2, out var t3);
                Vector<uint> Sum(Vector<float> x, Vector<float> y) => Vector.ConvertToUInt32(Vector.Min(Vector.Max(Vector.Round((x * va) + (y * vb)), low), high));
                Vector.Narrow(Vector.Narrow(Sum(b0, t0), Sum(b1, t1)), Vector.Narrow(Sum(b2, t2), Sum(b3, t3))).CopyTo(destination[i..]);
            }
        }
        for (; i < bottom.Length; i++)
        {
            var value = MathF.Round((bottom[i] * a) + (top[i] * b), MidpointRounding.ToEven);
            destination[i] = value <= 0f ? (byte)0 : value >= 255f ? (byte)255 : (byte)value;
        }
    }

    // A vector of bytes as four vectors of their values in float, in order.
    private static void Widen(Vector<byte> bytes, out Vector<float> first, out Vector<float> second, out Vector<float> third, out Vector<float> fourth)
    {
        Vector.Widen(bytes, out var low, out var high);
        Vector.Widen(low, out var a, out var b);
        Vector.Widen(high, out var c, out var d);
        (first, second, third, fourth) = (Vector.ConvertToSingle(a), Vector.ConvertToSingle(b), Vector.ConvertToSingle(c), Vector.ConvertToSingle(d));
    }

    private static void CheckAlpha(double alpha)
    {
        if (!(alpha >= 0.0 && alpha <= 1.0))
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "alpha must be in [0, 1] (0 shows only the image, 1 only the heatmap).");
    }
}
