namespace AutoTimm.Data;

/// <summary>The geometric crop an <see cref="Augment"/> applies.</summary>
public enum CropMode
{
    /// <summary>No crop: the whole image is kept.</summary>
    None,

    /// <summary>Pad with zeros by <see cref="AugmentOptions.Padding"/> pixels and crop back to the input size at a random offset (CIFAR-style).</summary>
    PadCrop,

    /// <summary>Crop a random area and aspect ratio and resize it back to the input size (Inception-style).</summary>
    RandomResizedCrop,
}
