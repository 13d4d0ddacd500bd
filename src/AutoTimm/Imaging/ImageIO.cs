using System.Buffers;
using System.Runtime.InteropServices;
using SkiaSharp;

namespace AutoTimm.Imaging;

/// <summary>
/// Reads PNG, JPEG, BMP and WebP into <see cref="RgbImage"/> and writes PNG, with SkiaSharp.
/// </summary>
/// <remarks>
/// Decoding matches PIL's <c>Image.open(...).convert("RGB")</c> after <c>ImageOps.exif_transpose</c>: grayscale is
/// replicated to three channels, palettes are expanded, alpha is dropped without compositing (colour values are
/// kept unpremultiplied), 16-bit samples are reduced to 8 bits, embedded colour profiles are not applied, and the
/// EXIF orientation is applied. Input is checked before Skia sees it (signature, size limits) and every Skia result
/// is checked, so bad input raises <see cref="ImageDecodeException"/> instead of crashing.
/// </remarks>
public static class ImageIO
{
    /// <summary>Environment variable that sets <see cref="MaxPixels"/>.</summary>
    public const string MaxPixelsVariable = "AUTOTIMM_MAX_IMAGE_PIXELS";

    /// <summary>
    /// Largest accepted image, in pixels, checked from the header before anything is decoded. Decoding needs about 7
    /// bytes per pixel at its peak (the RGBA bitmap, then the RGB copy), so the default, PIL's <c>MAX_IMAGE_PIXELS</c>
    /// (89,478,485, where PIL warns of a decompression bomb), bounds a decode to about 630 MB. Set
    /// <see cref="MaxPixelsVariable"/> or this property to change it.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to less than 1 or more than <see cref="MaxAddressablePixels"/>.</exception>
    public static long MaxPixels
    {
        get => _maxPixels;
        set => _maxPixels = value is > 0 and <= MaxAddressablePixels
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, $"the image pixel limit must be 1 to {MaxAddressablePixels:N0} (an RGBA bitmap of more does not fit in one .NET array)");
    }

    /// <summary>The largest limit <see cref="MaxPixels"/> accepts: the pixels of the largest RGBA bitmap one .NET array holds.</summary>
    public const long MaxAddressablePixels = 0x7FFFFFC7 / 4;

    private static long _maxPixels = PixelsFromEnvironment() ?? 89_478_485;

    private static long? PixelsFromEnvironment()
    {
        var text = Environment.GetEnvironmentVariable(MaxPixelsVariable);
        if (string.IsNullOrWhiteSpace(text)) return null;
        return long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) && value is > 0 and <= MaxAddressablePixels
            ? value
            : throw new ArgumentException($"{MaxPixelsVariable}={text} is not a number of pixels from 1 to {MaxAddressablePixels}");
    }

    /// <summary>Reads and decodes the image file at <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="ImageDecodeException">The file is not a readable PNG, JPEG, BMP or WebP image.</exception>
    public static RgbImage Load(string path) => Decode(InputFile.ReadAllBytes(path, "image"), path);

    /// <summary>Decodes an encoded image held in memory.</summary>
    /// <param name="encoded">The encoded file content.</param>
    /// <param name="name">How error messages refer to the data (for example the name it came from).</param>
    /// <exception cref="ImageDecodeException">The data is not a readable PNG, JPEG, BMP or WebP image.</exception>
    public static RgbImage Load(byte[] encoded, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        return Decode(encoded, name ?? "(image bytes)");
    }

    /// <summary>Reads <paramref name="stream"/> from its current position to the end and decodes it. The stream is not closed.</summary>
    /// <param name="stream">A readable stream holding an encoded image.</param>
    /// <param name="name">How error messages refer to the data.</param>
    /// <exception cref="ImageDecodeException">The data is not a readable PNG, JPEG, BMP or WebP image.</exception>
    public static RgbImage Load(Stream stream, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead) throw new ArgumentException("The stream is not readable.", nameof(stream));
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return Decode(buffer.ToArray(), name ?? "(image stream)");
    }

    private static readonly SKPngEncoderOptions PngOptions = new(SKPngEncoderFilterFlags.Paeth, 1);

    /// <summary>Encodes <paramref name="image"/> as an 8-bit RGB PNG.</summary>
    public static byte[] EncodePng(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var rgb = image.Pixels;
        var pixels = image.Width * image.Height;
        if ((long)pixels * 4 > Array.MaxLength) throw new ArgumentException($"{image} is too large to encode.", nameof(image));
        // The RGBA copy lives only for the encoding, so it is rented, as the decoder's is.
        int rgbaLength = pixels * 4;
        bool pooled = rgbaLength <= MaxPooledDecodeBytes;
        var rgba = pooled ? ArrayPool<byte>.Shared.Rent(rgbaLength) : new byte[rgbaLength];
        try
        {
            PixelPacking.RgbToOpaqueRgba(rgb, rgba.AsSpan(0, rgbaLength));
            // Opaque RGBA makes Skia write a 3-channel PNG, without an alpha channel.
            // Paeth filtering and zlib level 1. On 224 px heatmap overlays of photos: 2.4 ms and 69 KB, against 4.6 ms and
            // 74 KB for Sub and level 3, and 3.7 ms and 69 KB for every filter at level 1 (explain-batch encodes one per
            // image and method, on the cores the model uses).
            return Encode(rgba, new SKImageInfo(image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Opaque), image.Width * 4, PngOptions);
        }
        finally
        {
            if (pooled) ArrayPool<byte>.Shared.Return(rgba);
        }
    }

    private static readonly SKPngEncoderOptions GrayPngOptions = new(SKPngEncoderFilterFlags.AllFilters, 9);

    /// <summary>
    /// Encodes row-major 8-bit values as a one-channel (grayscale) PNG, with every filter tried and the strongest
    /// compression: the container for quantized maps, which are small and smooth.
    /// </summary>
    public static byte[] EncodeGrayPng(byte[] values, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (width <= 0 || height <= 0 || (long)width * height != values.Length)
            throw new ArgumentException($"{values.Length} values do not make a {width}x{height} image.", nameof(values));
        return Encode(values, new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque), width, GrayPngOptions);
    }

    private static byte[] Encode(byte[] pixels, SKImageInfo info, int rowBytes, SKPngEncoderOptions options)
    {
        var handle = GCHandle.Alloc(pixels, GCHandleType.Pinned);
        try
        {
            using var pixmap = new SKPixmap(info, handle.AddrOfPinnedObject(), rowBytes);
            using var data = pixmap.Encode(options)
                ?? throw new InvalidOperationException($"PNG encoding of a {info.Width}x{info.Height} image failed.");
            return data.ToArray();
        }
        finally
        {
            handle.Free();
        }
    }

    /// <summary>
    /// Writes <paramref name="image"/> as PNG to <paramref name="path"/> atomically: the file either keeps its old
    /// content or has the complete new image, and no temporary file is left behind on failure.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The target directory does not exist.</exception>
    public static void SavePng(RgbImage image, string path)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        AtomicFile.WriteAllBytes(path, EncodePng(image));
    }

    // 4096 x 4096 RGBA: any photo a model is shown, and not more.
    private const int MaxPooledDecodeBytes = 64 << 20;

    private static RgbImage Decode(byte[] data, string source)
    {
        if (data.Length == 0) throw new ImageDecodeException(source, "the data is empty (0 bytes).");
        var format = ImageSignature.Detect(data);
        if (format.Problem is { } problem) throw new ImageDecodeException(source, problem);

        using var stream = new SKMemoryStream(data);
        using var codec = SKCodec.Create(stream, out var created);
        if (codec is null)
        {
            throw new ImageDecodeException(source, created == SKCodecResult.IncompleteInput
                ? $"the {format.Name} header is incomplete (truncated or corrupt data)."
                : $"the {format.Name} header is corrupt (decoder: {created}).");
        }

        var width = codec.Info.Width;
        var height = codec.Info.Height;
        if (width <= 0 || height <= 0)
            throw new ImageDecodeException(source, $"the {format.Name} header gives an empty size {width}x{height}.");
        if ((long)width * height > MaxPixels)
            throw new ImageDecodeException(source, string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{width}x{height} is {(long)width * height:N0} pixels, over the {MaxPixels:N0}-pixel limit (about 7 bytes per pixel to decode); set {MaxPixelsVariable} to allow more."));

        // Unpremultiplied RGBA without a colour space: colours as stored, no profile conversion (as PIL). The RGBA buffer
        // lives only until it is packed into RGB, so it is rented: a photo's is a megabyte or more, and a fresh one for
        // every image kept the large-object heap growing and collecting, its pages faulted in anew. Buffers of huge images
        // are not pooled, so the pool never keeps hundreds of megabytes for one rare input.
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        int rgbaLength = width * height * 4;
        bool pooled = rgbaLength <= MaxPooledDecodeBytes;
        var rgba = pooled ? ArrayPool<byte>.Shared.Rent(rgbaLength) : new byte[rgbaLength];
        byte[] rgb;
        try
        {
            SKCodecResult result;
            var handle = GCHandle.Alloc(rgba, GCHandleType.Pinned);
            try
            {
                result = codec.GetPixels(info, handle.AddrOfPinnedObject());
            }
            finally
            {
                handle.Free();
            }
            if (result != SKCodecResult.Success)
            {
                throw new ImageDecodeException(source, result switch
                {
                    SKCodecResult.IncompleteInput => $"the {format.Name} data is truncated.",
                    SKCodecResult.ErrorInInput => $"the {format.Name} data is corrupt.",
                    _ => $"the {format.Name} decoder failed ({result}).",
                });
            }
            rgb = new byte[width * height * 3];
            PixelPacking.RgbaToRgb(rgba.AsSpan(0, rgbaLength), rgb);
        }
        finally
        {
            if (pooled) ArrayPool<byte>.Shared.Return(rgba);
        }
        return ExifOrientation.Apply(RgbImage.Wrap(width, height, rgb), codec.EncodedOrigin);
    }
}
