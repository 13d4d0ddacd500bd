namespace AutoTimm.Data;

/// <summary>
/// The random choices of one augmented image: the source region (in input pixel coordinates, possibly reaching
/// outside the image, which reads as zeros) resampled to the input size, whether it is mirrored, and color factors.
/// </summary>
/// <param name="Flip">Mirror horizontally (after cropping).</param>
/// <param name="Region">Source region that becomes the output image.</param>
/// <param name="Brightness">Brightness factor (1 = unchanged).</param>
/// <param name="Contrast">Contrast factor (1 = unchanged).</param>
/// <param name="Saturation">Saturation factor (1 = unchanged).</param>
public readonly record struct AugmentParameters(bool Flip, BoundingBox Region, float Brightness, float Contrast, float Saturation)
{
    /// <summary>Parameters that leave an image of the given size unchanged.</summary>
    /// <param name="height">Image height.</param>
    /// <param name="width">Image width.</param>
    public static AugmentParameters Identity(int height, int width) => new(false, new BoundingBox(0, 0, width, height), 1, 1, 1);

    /// <summary>True when the region is the whole image of the given size.</summary>
    /// <param name="height">Image height.</param>
    /// <param name="width">Image width.</param>
    public bool IsFullRegion(int height, int width) => Region == new BoundingBox(0, 0, width, height);

    /// <summary>True when the color factors are all 1.</summary>
    public bool KeepsColors => Brightness == 1 && Contrast == 1 && Saturation == 1;
}
