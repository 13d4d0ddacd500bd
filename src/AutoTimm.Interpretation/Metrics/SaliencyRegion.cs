using AutoTimm.Data;

namespace AutoTimm.Interpretation.Metrics;

/// <summary>A ground-truth region of an image: a row-major mask of <c>Height x Width</c> pixels, from a mask or a box.</summary>
public sealed class SaliencyRegion
{
    private SaliencyRegion(bool[] mask, int height, int width)
    {
        Mask = mask;
        Height = height;
        Width = width;
        Pixels = mask.Count(v => v);
    }

    /// <summary>Inside flags, row-major.</summary>
    public IReadOnlyList<bool> Mask { get; }

    /// <summary>Image height.</summary>
    public int Height { get; }

    /// <summary>Image width.</summary>
    public int Width { get; }

    /// <summary>Pixels inside.</summary>
    public int Pixels { get; }

    /// <summary>The region of a mask (copied).</summary>
    public static SaliencyRegion FromMask(IReadOnlyList<bool> mask, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(mask);
        if (mask.Count != height * width) throw new ArgumentException($"the mask has {mask.Count} values, not {height}x{width}", nameof(mask));
        return new SaliencyRegion(mask.ToArray(), height, width);
    }

    /// <summary>The pixels whose centres lie in a box (see <see cref="BoundingBox.ContainsPixel"/>); empty when the box lies outside the image.</summary>
    public static SaliencyRegion FromBox(BoundingBox box, int height, int width)
    {
        var mask = new bool[height * width];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                mask[y * width + x] = box.ContainsPixel(x, y);
        return new SaliencyRegion(mask, height, width);
    }
}
