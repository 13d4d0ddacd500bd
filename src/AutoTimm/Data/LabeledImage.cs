namespace AutoTimm.Data;

/// <summary>One classification sample: an RGB image as channel-major floats in [0,1] and its class index.</summary>
public sealed class LabeledImage
{
    /// <summary>Creates a sample.</summary>
    /// <param name="pixels">Channel-major pixels [3, height, width], values in [0,1].</param>
    /// <param name="height">Image height.</param>
    /// <param name="width">Image width.</param>
    /// <param name="label">Class index.</param>
    public LabeledImage(float[] pixels, int height, int width, int label)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(label);
        if (pixels.Length != 3 * height * width)
            throw new ArgumentException($"An RGB image of {height}x{width} needs {3 * height * width} values, got {pixels.Length}.", nameof(pixels));
        Pixels = pixels;
        Height = height;
        Width = width;
        Label = label;
    }

    /// <summary>Channel-major pixels [3, Height, Width], values in [0,1].</summary>
    public float[] Pixels { get; }

    /// <summary>Image height.</summary>
    public int Height { get; }

    /// <summary>Image width.</summary>
    public int Width { get; }

    /// <summary>Class index.</summary>
    public int Label { get; }
}
