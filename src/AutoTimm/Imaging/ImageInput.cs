using AutoTimm.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoTimm.Imaging;

/// <summary>
/// The image argument every API accepts: an image file path, a <c>.npy</c> file path holding an already-preprocessed
/// model input, encoded bytes or a stream, a decoded <see cref="RgbImage"/>, or an already-preprocessed tensor.
/// </summary>
/// <remarks>
/// Nothing is read until the input is used; a file or encoded data is decoded once and reused. Already-preprocessed
/// inputs (tensors and <c>.npy</c> files, recognised by extension or content) are shaped <c>[3, H, W]</c> or
/// <c>[1, 3, H, W]</c> with H x W the model's input size, and are used as they are. An input holds a reference to a
/// tensor it was given but never disposes it; the tensors it returns belong to the caller.
/// </remarks>
public sealed class ImageInput
{
    private readonly string? _path;
    private readonly byte[]? _encoded;
    private readonly RgbImage? _image;
    private readonly Tensor? _tensor;
    private readonly Lazy<Content>? _content;

    private ImageInput(string? name, string description, string? path = null, byte[]? encoded = null, RgbImage? image = null, Tensor? tensor = null)
    {
        Name = name;
        Description = description;
        _path = path;
        _encoded = encoded;
        _image = image;
        _tensor = tensor;
        if (path is not null || encoded is not null)
            _content = new Lazy<Content>(ReadContent, LazyThreadSafetyMode.PublicationOnly);
    }

    /// <summary>A name for output files: the file name without extension for file inputs, else the name given (or null).</summary>
    public string? Name { get; }

    /// <summary>What the input is, for messages: a file path, "image bytes", "tensor [1,3,224,224]", ...</summary>
    public string Description { get; }

    /// <summary>The file this input reads, or null.</summary>
    public string? FilePath => _path;

    /// <summary>An image file (PNG, JPEG, BMP, WebP) or a <c>.npy</c> model input.</summary>
    /// <param name="path">The file path. The file is read when the input is first used.</param>
    public static ImageInput FromFile(string path)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new ArgumentException("no image file given: the path is empty");
        return new ImageInput(Path.GetFileNameWithoutExtension(path), path, path: path);
    }

    /// <summary>Encoded image bytes (PNG, JPEG, BMP, WebP), or the bytes of a <c>.npy</c> model input. The array is copied.</summary>
    /// <param name="encoded">The encoded data.</param>
    /// <param name="name">Optional name for output files and messages.</param>
    public static ImageInput FromBytes(byte[] encoded, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        return new ImageInput(name, name ?? "(image bytes)", encoded: (byte[])encoded.Clone());
    }

    /// <summary>Encoded data read now from <paramref name="stream"/> (current position to end); the stream is not closed.</summary>
    /// <param name="stream">A readable stream.</param>
    /// <param name="name">Optional name for output files and messages.</param>
    public static ImageInput FromStream(Stream stream, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return new ImageInput(name, name ?? "(image stream)", encoded: buffer.ToArray());
    }

    /// <summary>A decoded image.</summary>
    /// <param name="image">The image; preprocessing resizes and normalizes it.</param>
    /// <param name="name">Optional name for output files and messages.</param>
    public static ImageInput FromImage(RgbImage image, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        return new ImageInput(name, name ?? $"({image})", image: image);
    }

    /// <summary>An already-preprocessed model input, <c>[3, H, W]</c> or <c>[1, 3, H, W]</c>, floating-point.</summary>
    /// <param name="tensor">The tensor; referenced, not copied and not disposed.</param>
    /// <param name="name">Optional name for output files and messages.</param>
    public static ImageInput FromTensor(Tensor tensor, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        return new ImageInput(name, name ?? $"(tensor {tensor.dtype} [{string.Join(",", tensor.shape)}])", tensor: tensor);
    }

    /// <summary>An image or <c>.npy</c> file path; see <see cref="FromFile"/>.</summary>
    public static implicit operator ImageInput(string path) => FromFile(path);

    /// <summary>A decoded image; see <see cref="FromImage"/>.</summary>
    public static implicit operator ImageInput(RgbImage image) => FromImage(image);

    /// <summary>Encoded image bytes; see <see cref="FromBytes"/>.</summary>
    public static implicit operator ImageInput(byte[] encoded) => FromBytes(encoded);

    /// <summary>An already-preprocessed tensor; see <see cref="FromTensor"/>.</summary>
    public static implicit operator ImageInput(Tensor tensor) => FromTensor(tensor);

    /// <summary>
    /// True when the input is already model input (a tensor or a <c>.npy</c> array) rather than an image. For files
    /// and encoded data this reads and decodes them (once), so it can throw the errors <see cref="ToModelInput(PreprocessConfig)"/> does.
    /// </summary>
    public bool IsPreprocessed => _tensor is not null || _content?.Value.Array is not null;

    /// <summary>The model input <c>[1,3,H,W]</c> on <paramref name="device"/> (the model's device).</summary>
    public Tensor ToModelInput(PreprocessConfig config, Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        var input = ToModelInput(config);
        if (input.device == device) return input;
        var moved = input.to(device);
        input.Dispose();
        return moved;
    }

    /// <summary>
    /// The model input: float32 <c>[1, 3, Height, Width]</c>. Images are preprocessed with <paramref name="config"/>;
    /// tensors and <c>.npy</c> arrays are checked (shape, dtype, finite values) and copied.
    /// </summary>
    /// <exception cref="ArgumentException">A tensor or array has the wrong shape or dtype, or non-finite values;
    /// the message gives the shape found and the shape expected.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ImageDecodeException">The image cannot be decoded.</exception>
    /// <exception cref="InvalidDataException">The <c>.npy</c> file cannot be read.</exception>
    public Tensor ToModelInput(PreprocessConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var preprocessor = new Preprocessor(config);
        using var scope = torch.NewDisposeScope();
        Tensor result;
        if (_tensor is not null)
        {
            result = CheckedTensor(_tensor, config);
        }
        else if (Image() is { } image)
        {
            result = preprocessor.ApplyCropped(Cropped(image, preprocessor)).unsqueeze(0);
        }
        else
        {
            var array = _content!.Value.Array!;
            CheckShape(array.Shape, "array", config);
            result = CheckFinite(Npy.ToTensor(array).reshape(1, 3, config.Height, config.Width));
        }
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// <see cref="ToModelInput(PreprocessConfig)"/>'s values, <c>[3, Height, Width]</c> row-major, written into
    /// <paramref name="destination"/> (exactly that many values). An image goes straight from its pixels into the
    /// destination, with no tensor and no buffer of its own in between.
    /// </summary>
    /// <exception cref="ArgumentException">As <see cref="ToModelInput(PreprocessConfig)"/>, or the destination has the wrong length.</exception>
    internal void WriteModelInput(PreprocessConfig config, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (_tensor is null && Image() is { } image)
        {
            var preprocessor = new Preprocessor(config);
            preprocessor.ApplyCropped(Cropped(image, preprocessor), destination);
            return;
        }
        using var input = ToModelInput(config);
        var values = input.CopyToArray<float>();
        if (values.Length != destination.Length)
            throw new ArgumentException($"{values.Length} values do not fit a destination of {destination.Length}.", nameof(destination));
        values.CopyTo(destination);
    }

    /// <summary>
    /// The image to draw explanations on, aligned pixel for pixel with <see cref="ToModelInput(PreprocessConfig)"/>: for images, the
    /// resized and cropped image (before normalization); for tensors and arrays, the input denormalized.
    /// </summary>
    /// <exception cref="ArgumentException">A tensor or array has the wrong shape or dtype, or non-finite values.</exception>
    public RgbImage ToDisplayImage(PreprocessConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var preprocessor = new Preprocessor(config);
        if (_tensor is null && Image() is { } image) return Cropped(image, preprocessor);
        using var scope = torch.NewDisposeScope();
        return preprocessor.ToImage(ToModelInput(config));
    }

    /// <inheritdoc/>
    public override string ToString() => Description;

    // The image resized and cropped for the last configuration asked: the model input and the display image are both
    // made from it, so an image is resized once however many of them a caller asks for.
    private (PreprocessConfig Config, RgbImage Cropped)? _cropped;

    private RgbImage Cropped(RgbImage image, Preprocessor preprocessor)
    {
        if (_cropped is { } known && known.Config == preprocessor.Config) return known.Cropped;
        var cropped = preprocessor.ResizeAndCrop(image);
        _cropped = (preprocessor.Config, cropped);
        return cropped;
    }

    /// <summary>The decoded image, or null when the input is already preprocessed.</summary>
    private RgbImage? Image() => _image ?? _content?.Value.Image;

    private Content ReadContent()
    {
        if (_path is not null)
        {
            var bytes = InputFile.ReadAllBytes(_path, "image");
            if (_path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase) || Npy.HasMagic(bytes))
                return new Content(null, Npy.Parse(bytes, _path));
            return new Content(ImageIO.Load(bytes, _path), null);
        }
        if (Npy.HasMagic(_encoded)) return new Content(null, Npy.Parse(_encoded!, Description));
        return new Content(ImageIO.Load(_encoded!, Description), null);
    }

    private Tensor CheckedTensor(Tensor tensor, PreprocessConfig config)
    {
        if (!tensor.is_floating_point())
            throw new ArgumentException(
                $"{Description}: expected an already-preprocessed floating-point tensor, got dtype {tensor.dtype}; pass raw pixels as an RgbImage instead.");
        CheckShape(tensor.shape, "tensor", config);
        return CheckFinite(Copy(tensor.detach().to(ScalarType.Float32).reshape(1, 3, config.Height, config.Width)));
    }

    // A float32 image in CPU memory is copied by the CPU directly: libtorch's clone would split the copy across its
    // thread pool, and waking the pool costs milliseconds after an idle spell, a hundred times the copy itself.
    private static Tensor Copy(Tensor tensor)
    {
        if (tensor.device_type != DeviceType.CPU || !tensor.is_contiguous() || tensor.NumberOfElements * sizeof(float) > int.MaxValue)
            return tensor.clone();
        // Native to native in one memcpy: no managed buffer on the large-object heap for every input.
        var copy = torch.empty(tensor.shape, ScalarType.Float32);
        tensor.bytes.CopyTo(copy.bytes);
        return copy;
    }

    private void CheckShape(long[] shape, string what, PreprocessConfig config)
    {
        var (h, w) = (config.Height, config.Width);
        var expected = $"[3,{h},{w}] or [1,3,{h},{w}]";
        var found = $"[{string.Join(",", shape)}]";
        var rankOk = shape.Length == 3 || (shape.Length == 4 && shape[0] == 1);
        if (!rankOk)
        {
            var hint = shape.Length == 4 ? $" (a batch of {shape[0]}: pass one image per input, or use the batch APIs)" : "";
            throw new ArgumentException($"{Description}: {what} has shape {found}; expected {expected}{hint}.");
        }
        if (shape[^3] != 3)
            throw new ArgumentException($"{Description}: {what} has shape {found} with {shape[^3]} channels; expected {expected} (3 RGB channels).");
        if (shape[^2] != h || shape[^1] != w)
            throw new ArgumentException($"{Description}: {what} has shape {found}; expected {expected} (the model's input size {h}x{w}).");
    }

    private Tensor CheckFinite(Tensor tensor)
    {
        if (!FiniteCheck.All(tensor))
            throw new ArgumentException($"{Description}: the input contains NaN or infinite values.");
        return tensor;
    }

    /// <summary>What a file or encoded data turned out to hold: exactly one of a decoded image or a preprocessed array.</summary>
    private sealed record Content(RgbImage? Image, NpyArray? Array);
}
