namespace AutoTimm.Models.Architectures;

/// <summary>Shape of an FCOS detector: backbone, pyramid, head and anchor sizes.</summary>
public sealed record FcosSpec
{
    /// <summary>The ResNet backbone.</summary>
    public required ResNetSpec Backbone { get; init; }

    /// <summary>Backbone stages feeding the pyramid (torchvision: 2, 3, 4).</summary>
    public int[] ReturnedStages { get; init; } = [2, 3, 4];

    /// <summary>Channels of the pyramid and the head (torchvision: 256; GroupNorm needs a multiple of 32).</summary>
    public int PyramidChannels { get; init; } = 256;

    /// <summary>3x3 convolutions in each head branch (torchvision: 4).</summary>
    public int HeadConvs { get; init; } = 4;

    /// <summary>
    /// Anchor size of each pyramid level in pixels: box distances are predicted in these units, and training assigns
    /// an object to a level by them (torchvision: 8, 16, 32, 64, 128, equal to the level strides). One per level: the
    /// returned stages plus P6 and P7.
    /// </summary>
    public int[] AnchorSizes { get; init; } = [8, 16, 32, 64, 128];

    /// <summary>Positive locations lie within this many anchor sizes of an object's center (torchvision: 1.5).</summary>
    public float CenterSamplingRadius { get; init; } = 1.5f;

    internal void Validate()
    {
        if (AnchorSizes.Length != ReturnedStages.Length + 2)
            throw new ArgumentException($"FCOS needs one anchor size per level ({ReturnedStages.Length} stages + P6 + P7), got {AnchorSizes.Length}");
        if (PyramidChannels % 32 != 0) throw new ArgumentException($"pyramid channels must be a multiple of 32 (GroupNorm(32)), got {PyramidChannels}");
        ArgumentOutOfRangeException.ThrowIfLessThan(HeadConvs, 0);
    }
}
