namespace AutoTimm.Data;

/// <summary>
/// An axis-aligned box in pixel coordinates, corners (X0, Y0) inclusive and (X1, Y1) exclusive: pixel (x, y) covers
/// [x, x+1) x [y, y+1), so the tight box around pixels 3..5 of a row is X0 = 3, X1 = 6 (the torchvision convention).
/// </summary>
/// <param name="X0">Left edge.</param>
/// <param name="Y0">Top edge.</param>
/// <param name="X1">Right edge (exclusive).</param>
/// <param name="Y1">Bottom edge (exclusive).</param>
public readonly record struct BoundingBox(float X0, float Y0, float X1, float Y1)
{
    /// <summary>The empty box.</summary>
    public static BoundingBox Empty { get; } = new(0, 0, 0, 0);

    /// <summary>Width (0 when empty).</summary>
    public float Width => MathF.Max(0, X1 - X0);

    /// <summary>Height (0 when empty).</summary>
    public float Height => MathF.Max(0, Y1 - Y0);

    /// <summary>Area (0 when empty).</summary>
    public float Area => Width * Height;

    /// <summary>True when the box covers no area.</summary>
    public bool IsEmpty => X1 <= X0 || Y1 <= Y0;

    /// <summary>Whether the pixel (x, y) has its center inside the box.</summary>
    /// <param name="x">Pixel column.</param>
    /// <param name="y">Pixel row.</param>
    public bool ContainsPixel(int x, int y) => x + 0.5f > X0 && x + 0.5f < X1 && y + 0.5f > Y0 && y + 0.5f < Y1;

    /// <summary>The overlap of two boxes (empty when they do not overlap).</summary>
    /// <param name="other">The other box.</param>
    public BoundingBox Intersect(BoundingBox other)
    {
        var box = new BoundingBox(MathF.Max(X0, other.X0), MathF.Max(Y0, other.Y0), MathF.Min(X1, other.X1), MathF.Min(Y1, other.Y1));
        return box.IsEmpty ? Empty : box;
    }

    /// <summary>Intersection over union with another box (0 when both are empty).</summary>
    /// <param name="other">The other box.</param>
    public float IoU(BoundingBox other)
    {
        var inter = Intersect(other).Area;
        var union = Area + other.Area - inter;
        return union > 0 ? inter / union : 0;
    }

    /// <summary>The box clipped to an image of the given size.</summary>
    /// <param name="width">Image width.</param>
    /// <param name="height">Image height.</param>
    public BoundingBox Clip(int width, int height)
    {
        var box = new BoundingBox(Math.Clamp(X0, 0, width), Math.Clamp(Y0, 0, height), Math.Clamp(X1, 0, width), Math.Clamp(Y1, 0, height));
        return box.IsEmpty ? Empty : box;
    }

    /// <summary>The tight box around the set pixels of a row-major mask (empty when none is set).</summary>
    /// <param name="mask">Mask of <paramref name="height"/> x <paramref name="width"/> values.</param>
    /// <param name="height">Mask height.</param>
    /// <param name="width">Mask width.</param>
    public static BoundingBox FromMask(ReadOnlySpan<bool> mask, int height, int width)
    {
        if (mask.Length != height * width)
            throw new ArgumentException($"Mask has {mask.Length} values, expected {height}x{width}.", nameof(mask));
        int x0 = width, y0 = height, x1 = -1, y1 = -1;
        for (var y = 0; y < height; y++)
        {
            var row = mask.Slice(y * width, width);
            var first = row.IndexOf(true);
            if (first < 0) continue;
            var last = row.LastIndexOf(true);
            if (first < x0) x0 = first;
            if (last > x1) x1 = last;
            if (y < y0) y0 = y;
            y1 = y;
        }
        return x1 < 0 ? Empty : new BoundingBox(x0, y0, x1 + 1, y1 + 1);
    }

    /// <summary>The corners as an array [X0, Y0, X1, Y1].</summary>
    public float[] ToArray() => [X0, Y0, X1, Y1];
}
