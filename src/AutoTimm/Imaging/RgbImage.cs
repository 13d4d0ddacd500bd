using AutoTimm.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoTimm.Imaging;

/// <summary>
/// A decoded 8-bit RGB image: <see cref="Height"/> rows of <see cref="Width"/> pixels, top row first, each pixel
/// three interleaved bytes R, G, B (HWC order, as PIL and numpy hold images).
/// </summary>
/// <remarks>
/// Instances never change after construction: every operation returns a new image, so an image can be shared
/// between threads and cached (for example by <see cref="ImageInput"/>) without copies.
/// </remarks>
public sealed class RgbImage
{
    private readonly byte[] _pixels;

    /// <summary>Creates an image from interleaved RGB bytes (copied).</summary>
    /// <param name="width">Width in pixels, at least 1.</param>
    /// <param name="height">Height in pixels, at least 1.</param>
    /// <param name="pixels">Exactly <c>width * height * 3</c> bytes, rows top to bottom, R,G,B per pixel.</param>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is not positive or the image is too large.</exception>
    /// <exception cref="ArgumentException"><paramref name="pixels"/> has the wrong length.</exception>
    public RgbImage(int width, int height, ReadOnlySpan<byte> pixels)
        : this(width, height, CheckedCopy(width, height, pixels))
    {
    }

    /// <summary>Wraps a buffer that nothing else references (no copy).</summary>
    private RgbImage(int width, int height, byte[] pixels)
    {
        Width = width;
        Height = height;
        _pixels = pixels;
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>The interleaved RGB bytes, <c>Width * Height * 3</c> of them, row-major (HWC).</summary>
    public ReadOnlySpan<byte> Pixels => _pixels;

    /// <summary>Creates an image whose every pixel is computed by <paramref name="pixel"/>(x, y).</summary>
    /// <param name="width">Width in pixels, at least 1.</param>
    /// <param name="height">Height in pixels, at least 1.</param>
    /// <param name="pixel">Colour of the pixel at column x, row y.</param>
    public static RgbImage Create(int width, int height, Func<int, int, Rgb> pixel)
    {
        ArgumentNullException.ThrowIfNull(pixel);
        var data = new byte[CheckSize(width, height)];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var c = pixel(x, y);
                var i = ((y * width) + x) * 3;
                data[i] = c.R;
                data[i + 1] = c.G;
                data[i + 2] = c.B;
            }
        }
        return new RgbImage(width, height, data);
    }

    /// <summary>Creates an image of one colour.</summary>
    /// <param name="width">Width in pixels, at least 1.</param>
    /// <param name="height">Height in pixels, at least 1.</param>
    /// <param name="color">The colour of every pixel.</param>
    public static RgbImage Filled(int width, int height, Rgb color) => Create(width, height, (_, _) => color);

    /// <summary>Takes ownership of a freshly made buffer: for decoders and transforms inside this library.</summary>
    internal static RgbImage Wrap(int width, int height, byte[] pixels)
    {
        if (pixels.Length != CheckSize(width, height))
            throw new ArgumentException($"Expected {(long)width * height * 3} bytes for {width}x{height} RGB, got {pixels.Length}.", nameof(pixels));
        return new RgbImage(width, height, pixels);
    }

    /// <summary>The pixel at column <paramref name="x"/>, row <paramref name="y"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The position lies outside the image.</exception>
    public Rgb GetPixel(int x, int y)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(x);
        ArgumentOutOfRangeException.ThrowIfNegative(y);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(x, Width);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(y, Height);
        var i = ((y * Width) + x) * 3;
        return new Rgb(_pixels[i], _pixels[i + 1], _pixels[i + 2]);
    }

    /// <summary>A copy of the interleaved RGB bytes.</summary>
    public byte[] ToArray() => (byte[])_pixels.Clone();

    /// <summary>The rectangle with top-left corner (<paramref name="x"/>, <paramref name="y"/>), which must lie inside the image.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The rectangle is empty or leaves the image.</exception>
    public RgbImage Crop(int x, int y, int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(x);
        ArgumentOutOfRangeException.ThrowIfNegative(y);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if ((long)x + width > Width || (long)y + height > Height)
            throw new ArgumentOutOfRangeException(nameof(width), $"Crop {width}x{height} at ({x}, {y}) leaves the {Width}x{Height} image.");
        var data = new byte[width * height * 3];
        for (var row = 0; row < height; row++)
            _pixels.AsSpan((((y + row) * Width) + x) * 3, width * 3).CopyTo(data.AsSpan(row * width * 3));
        return new RgbImage(width, height, data);
    }

    /// <summary>
    /// The <paramref name="width"/> x <paramref name="height"/> rectangle at the centre, as torchvision's
    /// <c>CenterCrop</c>: offsets rounded half to even; where the crop is larger than the image, the outside is black.
    /// </summary>
    public RgbImage CenterCrop(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        var left = CenterOffset(Width, width);
        var top = CenterOffset(Height, height);
        if (left >= 0 && top >= 0 && left + width <= Width && top + height <= Height) return Crop(left, top, width, height);

        var data = new byte[CheckSize(width, height)];
        for (var row = 0; row < height; row++)
        {
            var sy = top + row;
            if (sy < 0 || sy >= Height) continue;
            var x0 = Math.Max(0, -left);
            var x1 = Math.Min(width, Width - left);
            if (x1 > x0)
                _pixels.AsSpan(((sy * Width) + left + x0) * 3, (x1 - x0) * 3).CopyTo(data.AsSpan(((row * width) + x0) * 3));
        }
        return new RgbImage(width, height, data);
    }

    /// <summary>
    /// Resamples to <paramref name="width"/> x <paramref name="height"/> exactly as PIL's <c>Image.resize</c> does
    /// (antialiased when shrinking), which is also what torchvision's <c>Resize</c> does to a PIL image.
    /// </summary>
    public RgbImage Resize(int width, int height, ResizeInterpolation interpolation = ResizeInterpolation.Bilinear)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        CheckSize(width, height);
        if (width == Width && height == Height) return this;
        var data = Resampler.Resize(_pixels, Width, Height, width, height, interpolation);
        return new RgbImage(width, height, data);
    }

    /// <summary>
    /// <see cref="Resize"/> to <paramref name="width"/> x <paramref name="height"/>, then <see cref="CenterCrop"/> to
    /// <paramref name="cropWidth"/> x <paramref name="cropHeight"/>: the same pixels, with only those the crop keeps
    /// computed.
    /// </summary>
    internal RgbImage ResizeAndCenterCrop(int width, int height, int cropWidth, int cropHeight, ResizeInterpolation interpolation)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        CheckSize(width, height);
        int left = CenterOffset(width, cropWidth), top = CenterOffset(height, cropHeight);
        if (left < 0 || top < 0 || (width == Width && height == Height)) return Resize(width, height, interpolation).CenterCrop(cropWidth, cropHeight);
        var window = new Resampler.Window(left, top, cropWidth, cropHeight);
        return new RgbImage(cropWidth, cropHeight, Resampler.Resize(_pixels, Width, Height, width, height, interpolation, window));
    }

    /// <summary>The image as a float32 tensor <c>[3, Height, Width]</c> with values in [0, 1] (byte / 255, as torchvision's ToTensor).</summary>
    public Tensor ToTensor()
    {
        var plane = Width * Height;
        var data = new float[plane * 3];
        for (var i = 0; i < plane; i++)
        {
            data[i] = _pixels[i * 3] / 255f;
            data[plane + i] = _pixels[(i * 3) + 1] / 255f;
            data[(2 * plane) + i] = _pixels[(i * 3) + 2] / 255f;
        }
        return torch.tensor(data, [3, Height, Width], ScalarType.Float32);
    }

    /// <summary>
    /// An image from a tensor <c>[3, H, W]</c> or <c>[1, 3, H, W]</c> of intensities in [0, 1]; values outside are
    /// clamped, NaN becomes 0, and each value is rounded to the nearest byte.
    /// </summary>
    /// <exception cref="ArgumentException">The tensor does not have that shape or is not floating-point.</exception>
    public static RgbImage FromTensor(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var shape = tensor.shape;
        var ok = (shape.Length == 3 && shape[0] == 3) || (shape.Length == 4 && shape[0] == 1 && shape[1] == 3);
        if (!ok || !tensor.is_floating_point())
            throw new ArgumentException($"Expected a floating-point tensor of shape [3,H,W] or [1,3,H,W], got {tensor.dtype} [{string.Join(",", shape)}].", nameof(tensor));
        var height = (int)shape[^2];
        var width = (int)shape[^1];
        CheckSize(width, height);
        float[] values;
        using (var scope = torch.NewDisposeScope())
            values = tensor.detach().to(ScalarType.Float32).CopyToArray<float>();
        var plane = width * height;
        var data = new byte[plane * 3];
        for (var c = 0; c < 3; c++)
        {
            for (var i = 0; i < plane; i++)
                data[(i * 3) + c] = ToByte(values[(c * plane) + i]);
        }
        return new RgbImage(width, height, data);
    }

    /// <inheritdoc/>
    public override string ToString() => $"RgbImage {Width}x{Height}";

    /// <summary>Unit intensity to byte: clamped, rounded half away from zero, NaN to 0.</summary>
    internal static byte ToByte(float unit)
    {
        if (!(unit > 0f)) return 0;
        if (unit >= 1f) return 255;
        return (byte)((unit * 255f) + 0.5f);
    }

    /// <summary>torchvision's crop offset: round((size - crop) / 2) with Python's half-to-even rounding.</summary>
    private static int CenterOffset(int size, int crop) =>
        crop > size ? -((crop - size) / 2) : (int)Math.Round((size - crop) / 2.0, MidpointRounding.ToEven);

    private static byte[] CheckedCopy(int width, int height, ReadOnlySpan<byte> pixels)
    {
        var size = CheckSize(width, height);
        if (pixels.Length != size)
            throw new ArgumentException($"Expected {size} bytes for a {width}x{height} RGB image, got {pixels.Length}.", nameof(pixels));
        return pixels.ToArray();
    }

    /// <summary>Validates dimensions and returns the byte count, which must fit one array.</summary>
    internal static int CheckSize(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        var size = (long)width * height * 3;
        if (size > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(width), $"A {width}x{height} RGB image does not fit in memory as one buffer.");
        return (int)size;
    }
}
