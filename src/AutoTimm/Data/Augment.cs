using TorchSharp;
using static TorchSharp.torch;
using AutoTimm.Native;

namespace AutoTimm.Data;

/// <summary>
/// Seeded training augmentation on image tensors: horizontal flip, pad-crop or random resized crop, and color jitter
/// (brightness, contrast, saturation, in that order). Images are float [3,H,W] or [N,3,H,W] with values in [0,1]
/// (augment before normalizing). Masks and boxes of the same images follow the same geometry.
/// </summary>
/// <remarks>
/// The choices for image <c>i</c> of call <c>key</c> depend only on (seed, key, i), so a run is reproducible whatever
/// the batching or thread. Sample them with <see cref="SampleParameters"/> to transform masks and boxes consistently.
/// Resampling is bilinear for images and nearest for masks (both pixel-center aligned, zeros outside the image).
/// </remarks>
public sealed class Augment
{
    /// <summary>Creates an augmentation.</summary>
    /// <param name="options">What to do; null for the defaults (random horizontal flip only).</param>
    /// <param name="seed">Seed of every random choice.</param>
    public Augment(AugmentOptions? options = null, ulong seed = 0)
    {
        options ??= new AugmentOptions();
        options.Validate();
        Options = options;
        Seed = seed;
    }

    /// <summary>The options.</summary>
    public AugmentOptions Options { get; }

    /// <summary>The seed.</summary>
    public ulong Seed { get; }

    /// <summary>Draws the random choices for <paramref name="count"/> images of one call.</summary>
    /// <param name="key">Call key (for example the global step); the same key gives the same choices.</param>
    /// <param name="count">Number of images.</param>
    /// <param name="height">Image height.</param>
    /// <param name="width">Image width.</param>
    public AugmentParameters[] SampleParameters(ulong key, int count, int height, int width)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        var result = new AugmentParameters[count];
        for (var i = 0; i < count; i++)
        {
            var rng = new SampleRandom(Seed, key, stream: (ulong)i);
            var flip = rng.NextFloat() < Options.FlipProbability;
            var region = Options.Crop switch
            {
                CropMode.PadCrop => PadCropRegion(ref rng, height, width),
                CropMode.RandomResizedCrop => ResizedCropRegion(ref rng, height, width),
                _ => new BoundingBox(0, 0, width, height),
            };
            result[i] = new AugmentParameters(flip, region, Factor(ref rng, Options.Brightness), Factor(ref rng, Options.Contrast),
                Factor(ref rng, Options.Saturation));
        }
        return result;
    }

    /// <summary>Augments images with the choices drawn for <paramref name="key"/>.</summary>
    /// <param name="images">Float tensor [3,H,W] or [N,3,H,W], values in [0,1].</param>
    /// <param name="key">Call key (for example the global step).</param>
    /// <returns>A new tensor of the same shape (owned by the caller's dispose scope).</returns>
    public Tensor Apply(Tensor images, ulong key)
    {
        var (n, h, w) = ImageShape(images);
        return Apply(images, SampleParameters(key, n, h, w));
    }

    /// <summary>Augments images with given choices, one per image.</summary>
    /// <param name="images">Float tensor [3,H,W] or [N,3,H,W], values in [0,1].</param>
    /// <param name="parameters">One entry per image.</param>
    /// <returns>A new tensor of the same shape (owned by the caller's dispose scope).</returns>
    public static Tensor Apply(Tensor images, IReadOnlyList<AugmentParameters> parameters)
    {
        var (n, h, w) = ImageShape(images);
        CheckCount(parameters, n);
        using var scope = NewDisposeScope();
        var batch = images.dim() == 3 ? images.unsqueeze(0) : images.alias();
        var x = Geometry(batch, parameters, h, w, GridSampleMode.Bilinear);
        if (parameters.Any(p => !p.KeepsColors)) x = Jitter(x, parameters);
        if (ReferenceEquals(x, batch)) x = batch.clone();
        var result = images.dim() == 3 ? x.squeeze(0) : x;
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>Applies the geometry of given choices to masks (nearest sampling; outside the image reads as 0).</summary>
    /// <param name="masks">Tensor [H,W] or [N,H,W] of any numeric or bool type.</param>
    /// <param name="parameters">One entry per mask.</param>
    /// <returns>A new tensor of the same shape and type.</returns>
    public static Tensor ApplyToMasks(Tensor masks, IReadOnlyList<AugmentParameters> parameters)
    {
        ArgumentNullException.ThrowIfNull(masks);
        if (masks.dim() is not (2 or 3))
            throw new ArgumentException($"Masks must be [H,W] or [N,H,W], got [{string.Join(", ", masks.shape)}].", nameof(masks));
        var n = masks.dim() == 2 ? 1 : (int)masks.shape[0];
        CheckCount(parameters, n);
        var (h, w) = ((int)masks.shape[^2], (int)masks.shape[^1]);
        using var scope = NewDisposeScope();
        var batch = (masks.dim() == 2 ? masks.unsqueeze(0) : masks).unsqueeze(1);
        Tensor x;
        if (parameters.All(p => p.IsFullRegion(h, w)))
        {
            x = Geometry(batch, parameters, h, w, GridSampleMode.Nearest);
            if (ReferenceEquals(x, batch)) x = batch.clone();
        }
        else
        {
            x = Geometry(batch.to_type(ScalarType.Float32), parameters, h, w, GridSampleMode.Nearest).to_type(masks.dtype);
        }
        x = x.squeeze(1);
        var result = masks.dim() == 2 ? x.squeeze(0) : x;
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>Applies the geometry of one image's choices to a box in its pixel coordinates.</summary>
    /// <param name="box">Box in input pixel coordinates.</param>
    /// <param name="parameters">The image's choices.</param>
    /// <param name="height">Image height.</param>
    /// <param name="width">Image width.</param>
    /// <returns>The box in output coordinates, clipped to the image; null when nothing of it stays in view.</returns>
    public static BoundingBox? ApplyToBox(BoundingBox box, AugmentParameters parameters, int height, int width)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        if (box.IsEmpty) return null;
        var region = parameters.Region;
        var sx = width / region.Width;
        var sy = height / region.Height;
        float x0 = (box.X0 - region.X0) * sx, x1 = (box.X1 - region.X0) * sx;
        float y0 = (box.Y0 - region.Y0) * sy, y1 = (box.Y1 - region.Y0) * sy;
        if (parameters.Flip) (x0, x1) = (width - x1, width - x0);
        var result = new BoundingBox(x0, y0, x1, y1).Clip(width, height);
        return result.IsEmpty ? null : result;
    }

    /// <summary>Mirrors images or masks horizontally (reverses the last dimension).</summary>
    /// <param name="tensor">Any tensor whose last dimension is the width.</param>
    /// <returns>A new tensor.</returns>
    public static Tensor HorizontalFlip(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        return tensor.flip(-1);
    }

    /// <summary>Mirrors a box horizontally within an image of the given width.</summary>
    /// <param name="box">Box in pixel coordinates.</param>
    /// <param name="width">Image width.</param>
    public static BoundingBox HorizontalFlip(BoundingBox box, int width) => new(width - box.X1, box.Y0, width - box.X0, box.Y1);

    /// <summary>Mirrors a row-major mask horizontally.</summary>
    /// <typeparam name="T">Mask element type (bool, byte class indices, ...).</typeparam>
    /// <param name="mask">Mask of <paramref name="height"/> x <paramref name="width"/> values.</param>
    /// <param name="height">Mask height.</param>
    /// <param name="width">Mask width.</param>
    /// <returns>A new mask.</returns>
    public static T[] HorizontalFlip<T>(ReadOnlySpan<T> mask, int height, int width)
    {
        if (mask.Length != height * width)
            throw new ArgumentException($"Mask has {mask.Length} values, expected {height}x{width}.", nameof(mask));
        var result = new T[mask.Length];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++) result[y * width + x] = mask[y * width + width - 1 - x];
        }
        return result;
    }

    /// <summary>Crops, resamples and mirrors [N,C,H,W]; returns the input itself when nothing changes.</summary>
    private static Tensor Geometry(Tensor batch, IReadOnlyList<AugmentParameters> parameters, int h, int w, GridSampleMode mode)
    {
        var n = parameters.Count;
        if (parameters.All(p => p.IsFullRegion(h, w)))
        {
            if (!parameters.Any(p => p.Flip)) return batch;
            var flags = tensor(parameters.Select(p => p.Flip).ToArray()).view(n, 1, 1, 1);
            return where(flags, batch.flip(3), batch);
        }

        // Output pixel u samples source x = X0 + (u + 0.5) / W * width(region), mirrored when flipped; in the
        // normalized coordinates of affine_grid (align_corners = false) that is x_src = a * x_out + b.
        var theta = new float[n * 6];
        for (var i = 0; i < n; i++)
        {
            var r = parameters[i].Region;
            theta[6 * i + 0] = (parameters[i].Flip ? -1 : 1) * r.Width / w;
            theta[6 * i + 2] = (2 * r.X0 + r.Width) / w - 1;
            theta[6 * i + 4] = r.Height / h;
            theta[6 * i + 5] = (2 * r.Y0 + r.Height) / h - 1;
        }
        var grid = nn.functional.affine_grid(tensor(theta, [n, 2, 3]), [n, batch.shape[1], h, w], align_corners: false);
        return nn.functional.grid_sample(batch, grid, mode, GridSamplePaddingMode.Zeros, align_corners: false);
    }

    private static Tensor Jitter(Tensor x, IReadOnlyList<AugmentParameters> parameters)
    {
        var n = parameters.Count;
        Tensor Factors(Func<AugmentParameters, float> pick) => tensor(parameters.Select(pick).ToArray()).view(n, 1, 1, 1);
        x = (x * Factors(p => p.Brightness)).clamp(Scalars.Of(0), Scalars.Of(1));
        var mean = Gray(x).mean([1, 2, 3], keepdim: true);
        x = ((x - mean) * Factors(p => p.Contrast)).add(mean, Scalars.One).clamp(Scalars.Of(0), Scalars.Of(1));
        var gray = Gray(x);
        return ((x - gray) * Factors(p => p.Saturation)).add(gray, Scalars.One).clamp(Scalars.Of(0), Scalars.Of(1));
    }

    /// <summary>ITU-R 601 luma, as torchvision's rgb_to_grayscale: [N,1,H,W].</summary>
    private static Tensor Gray(Tensor x) =>
        x[.., 0..1].mul(Scalars.Of(0.299f)).add(x[.., 1..2].mul(Scalars.Of(0.587f)), Scalars.One).add(x[.., 2..3].mul(Scalars.Of(0.114f)), Scalars.One);

    private BoundingBox PadCropRegion(ref SampleRandom rng, int height, int width)
    {
        var dx = rng.NextInt(-Options.Padding, Options.Padding);
        var dy = rng.NextInt(-Options.Padding, Options.Padding);
        return new BoundingBox(dx, dy, dx + width, dy + height);
    }

    /// <summary>torchvision's RandomResizedCrop.get_params: ten tries, then the whole image.</summary>
    private BoundingBox ResizedCropRegion(ref SampleRandom rng, int height, int width)
    {
        var area = (float)height * width;
        var logMin = MathF.Log(Options.MinAspectRatio);
        var logMax = MathF.Log(Options.MaxAspectRatio);
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var target = area * rng.NextFloat(Options.MinCropArea, Options.MaxCropArea);
            var ratio = MathF.Exp(rng.NextFloat(logMin, logMax));
            var cw = (int)MathF.Round(MathF.Sqrt(target * ratio));
            var ch = (int)MathF.Round(MathF.Sqrt(target / ratio));
            if (cw <= 0 || ch <= 0 || cw > width || ch > height) continue;
            var x = rng.NextInt(width - cw + 1);
            var y = rng.NextInt(height - ch + 1);
            return new BoundingBox(x, y, x + cw, y + ch);
        }
        return new BoundingBox(0, 0, width, height);
    }

    private static float Factor(ref SampleRandom rng, float amount) => amount > 0 ? rng.NextFloat(1 - amount, 1 + amount) : 1f;

    private static (int N, int H, int W) ImageShape(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        var ok = images.dim() switch
        {
            3 => images.shape[0] == 3,
            4 => images.shape[1] == 3,
            _ => false,
        };
        if (!ok || !images.is_floating_point())
            throw new ArgumentException($"Images must be float [3,H,W] or [N,3,H,W], got {images.dtype} [{string.Join(", ", images.shape)}].", nameof(images));
        return (images.dim() == 3 ? 1 : (int)images.shape[0], (int)images.shape[^2], (int)images.shape[^1]);
    }

    private static void CheckCount(IReadOnlyList<AugmentParameters> parameters, int n)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (parameters.Count != n)
            throw new ArgumentException($"{parameters.Count} parameter sets for {n} images.", nameof(parameters));
    }
}
