using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;
using AutoTimm.Native;

namespace AutoTimm.Imaging;

/// <summary>
/// Turns decoded images into model input as timm's evaluation transform does with torchvision on PIL images
/// (<c>Resize</c> antialiased, <c>CenterCrop</c>, <c>ToTensor</c>, <c>Normalize</c>), and model input back into a
/// viewable image.
/// </summary>
/// <remarks>
/// Geometry: with <see cref="PreprocessConfig.CropPct"/> = 1 the image is resized straight to Height x Width.
/// Otherwise it is scaled to cover <c>floor(size / CropPct)</c> and the centre is cropped: for a square input size
/// the shorter side becomes that size and the longer one <c>floor(size * long / short)</c> (torchvision's
/// <c>Resize(int)</c>); for a non-square size the image is scaled so both sides cover their target, rounded (timm's
/// <c>ResizeKeepRatio</c>). Pixels are then scaled by 1/255 and normalized per channel by Mean and Std, in float32
/// in the same order as torchvision, so results agree with it to float rounding.
/// </remarks>
public sealed class Preprocessor
{
    private readonly float[] _mean;
    private readonly float[] _std;
    private readonly double _cropPct;

    // Channel c's normalized value of byte v at c * 256 + v, computed as torchvision does (v / 255, then (x - mean) /
    // std, in float32): a pixel's model input is a table lookup.
    private readonly float[] _levels;

    /// <summary>Creates a preprocessor for <paramref name="config"/>, checking that it is usable.</summary>
    /// <exception cref="ArgumentException">A size is not positive, Mean/Std do not have three finite values, a
    /// standard deviation is zero, or CropPct is not in (0, 1].</exception>
    public Preprocessor(PreprocessConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.Height <= 0 || config.Width <= 0)
            throw new ArgumentException($"Input size must be positive, got {config.Height}x{config.Width} (HxW).", nameof(config));
        if (config.Mean is not { Length: 3 } mean || mean.Any(v => !float.IsFinite(v)))
            throw new ArgumentException($"Mean must hold three finite values (R, G, B), got [{Join(config.Mean)}].", nameof(config));
        if (config.Std is not { Length: 3 } std || std.Any(v => !float.IsFinite(v) || v == 0f))
            throw new ArgumentException($"Std must hold three finite non-zero values (R, G, B), got [{Join(config.Std)}].", nameof(config));
        if (!(config.CropPct > 0f && config.CropPct <= 1f))
            throw new ArgumentException($"CropPct must be in (0, 1], got {config.CropPct.ToString(CultureInfo.InvariantCulture)}.", nameof(config));
        if (!Enum.IsDefined(config.Interpolation))
            throw new ArgumentException($"Unknown interpolation {config.Interpolation}.", nameof(config));
        Config = config;
        _mean = (float[])mean.Clone();
        _std = (float[])std.Clone();
        _levels = new float[3 * 256];
        for (var c = 0; c < 3; c++)
            for (var v = 0; v < 256; v++)
                _levels[(c * 256) + v] = ((v / 255f) - _mean[c]) / _std[c];
        // The decimal the float was written as (0.9f -> 0.9), so floor(size / CropPct) agrees with Python's doubles.
        _cropPct = double.Parse(config.CropPct.ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    /// <summary>The configuration this preprocessor applies.</summary>
    public PreprocessConfig Config { get; }

    /// <summary>The geometric part alone: <paramref name="image"/> resized and center-cropped to Width x Height.</summary>
    public RgbImage ResizeAndCrop(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var (width, height) = (Config.Width, Config.Height);
        if (_cropPct == 1.0) return image.Resize(width, height, Config.Interpolation);

        var scaleH = (int)Math.Floor(height / _cropPct);
        var scaleW = (int)Math.Floor(width / _cropPct);
        int resizedW, resizedH;
        if (scaleH == scaleW)
        {
            if (image.Width <= image.Height)
            {
                resizedW = scaleW;
                resizedH = (int)((double)scaleW * image.Height / image.Width);
            }
            else
            {
                resizedH = scaleH;
                resizedW = (int)((double)scaleH * image.Width / image.Height);
            }
        }
        else
        {
            var ratio = Math.Min((double)image.Height / scaleH, (double)image.Width / scaleW);
            resizedH = (int)Math.Round(image.Height / ratio, MidpointRounding.ToEven);
            resizedW = (int)Math.Round(image.Width / ratio, MidpointRounding.ToEven);
        }
        return image.ResizeAndCenterCrop(Math.Max(1, resizedW), Math.Max(1, resizedH), width, height, Config.Interpolation);
    }

    /// <summary>The model input for one image: float32 <c>[3, Height, Width]</c>, normalized.</summary>
    public Tensor Apply(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return ApplyCropped(ResizeAndCrop(image));
    }

    /// <summary>
    /// The model input for an image <see cref="ResizeAndCrop"/> already brought to Width x Height: only the scaling
    /// and normalization, so a caller that needs the cropped image too resizes once.
    /// </summary>
    /// <exception cref="ArgumentException">The image is not Width x Height.</exception>
    public Tensor ApplyCropped(RgbImage cropped)
    {
        var data = new float[3 * Config.Height * Config.Width];
        ApplyCropped(cropped, data);
        return torch.tensor(data, [3, Config.Height, Config.Width], ScalarType.Float32);
    }

    /// <summary>
    /// <see cref="ApplyCropped(RgbImage)"/>'s values, <c>[3, Height, Width]</c> row-major, written into
    /// <paramref name="destination"/> (exactly that many values): for callers that gather a batch in memory they own.
    /// </summary>
    /// <exception cref="ArgumentException">The image is not Width x Height, or the destination is not 3 x Height x Width long.</exception>
    internal void ApplyCropped(RgbImage cropped, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(cropped);
        if (cropped.Width != Config.Width || cropped.Height != Config.Height)
            throw new ArgumentException($"The image is {cropped.Width}x{cropped.Height}; ApplyCropped takes the model's input size {Config.Width}x{Config.Height} (use Apply to resize).", nameof(cropped));
        if (destination.Length != 3 * Config.Height * Config.Width)
            throw new ArgumentException($"{destination.Length} values do not hold a 3x{Config.Height}x{Config.Width} input.", nameof(destination));
        Fill(cropped, destination);
    }

    /// <summary>The model input for several images: float32 <c>[N, 3, Height, Width]</c>, normalized.</summary>
    /// <exception cref="ArgumentException">The list is empty or holds null.</exception>
    public Tensor ApplyBatch(IReadOnlyList<RgbImage> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Count == 0) throw new ArgumentException("At least one image is needed for a batch.", nameof(images));
        var plane = 3 * Config.Height * Config.Width;
        if ((long)images.Count * plane > Array.MaxLength)
            throw new ArgumentException($"A batch of {images.Count} images at {Config.Height}x{Config.Width} is too large for one tensor.", nameof(images));
        var data = new float[images.Count * plane];
        for (var n = 0; n < images.Count; n++)
        {
            var image = images[n] ?? throw new ArgumentException($"Image {n} of the batch is null.", nameof(images));
            Fill(ResizeAndCrop(image), data.AsSpan(n * plane, plane));
        }
        return torch.tensor(data, [images.Count, 3, Config.Height, Config.Width], ScalarType.Float32);
    }

    /// <summary>Normalizes pixel intensities in [0, 1] (<c>[..., 3, H, W]</c>): <c>(x - Mean) / Std</c> per channel.</summary>
    public Tensor Normalize(Tensor pixels)
    {
        CheckChannels(pixels, nameof(pixels));
        using var scope = torch.NewDisposeScope();
        var (mean, std) = Statistics(pixels);
        return ((pixels - mean) / std).MoveToOuterDisposeScope();
    }

    /// <summary>The inverse of <see cref="Normalize"/>: model input (<c>[..., 3, H, W]</c>) back to intensities in [0, 1] (not clamped).</summary>
    public Tensor Denormalize(Tensor modelInput)
    {
        CheckChannels(modelInput, nameof(modelInput));
        using var scope = torch.NewDisposeScope();
        var (mean, std) = Statistics(modelInput);
        return (modelInput * std).add(mean, Scalars.One).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// A viewable image from model input <c>[3, H, W]</c> or <c>[1, 3, H, W]</c>: denormalized, clamped to [0, 1]
    /// and rounded to bytes.
    /// </summary>
    public RgbImage ToImage(Tensor modelInput)
    {
        ArgumentNullException.ThrowIfNull(modelInput);
        using var scope = torch.NewDisposeScope();
        return RgbImage.FromTensor(Denormalize(modelInput.detach().to(ScalarType.Float32)));
    }

    private void Fill(RgbImage image, Span<float> data)
    {
        var pixels = image.Pixels;
        var plane = image.Width * image.Height;
        var levels = _levels.AsSpan();
        Span<float> red = data[..plane], green = data.Slice(plane, plane), blue = data.Slice(2 * plane, plane);
        for (int i = 0, p = 0; i < plane; i++, p += 3)
        {
            red[i] = levels[pixels[p]];
            green[i] = levels[256 + pixels[p + 1]];
            blue[i] = levels[512 + pixels[p + 2]];
        }
    }

    private (Tensor Mean, Tensor Std) Statistics(Tensor like)
    {
        var dtype = like.is_floating_point() ? like.dtype : ScalarType.Float32;
        var mean = torch.tensor(_mean, [3, 1, 1], dtype, like.device);
        var std = torch.tensor(_std, [3, 1, 1], dtype, like.device);
        return (mean, std);
    }

    private static void CheckChannels(Tensor tensor, string name)
    {
        ArgumentNullException.ThrowIfNull(tensor, name);
        if (tensor.dim() < 3 || tensor.shape[^3] != 3)
            throw new ArgumentException($"Expected a tensor shaped [..., 3, H, W], got [{string.Join(",", tensor.shape)}].", name);
    }

    private static string Join(float[]? values) =>
        values is null ? "null" : string.Join(", ", values.Select(v => v.ToString(CultureInfo.InvariantCulture)));
}
