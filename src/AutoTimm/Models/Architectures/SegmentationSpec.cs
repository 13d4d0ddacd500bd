namespace AutoTimm.Models.Architectures;

/// <summary>The head of a <see cref="SegmentationNet"/>.</summary>
public enum SegmentationHead
{
    /// <summary>torchvision's <c>FCNHead</c>: 3x3 convolution to a quarter of the channels, BatchNorm, ReLU, dropout, 1x1 classifier.</summary>
    Fcn,
    /// <summary>torchvision's <c>DeepLabHead</c>: atrous spatial pyramid pooling, 3x3 convolution, BatchNorm, ReLU, 1x1 classifier.</summary>
    DeepLabV3,
}

/// <summary>Shape of a segmenter: backbone and head.</summary>
public sealed record SegmentationSpec
{
    /// <summary>The ResNet backbone (torchvision dilates stages 3 and 4 of ResNet-50 for output stride 8).</summary>
    public required ResNetSpec Backbone { get; init; }

    /// <summary>The head.</summary>
    public SegmentationHead Head { get; init; } = SegmentationHead.Fcn;

    /// <summary>Dilation rates of the ASPP's three 3x3 branches (torchvision: 12, 24, 36).</summary>
    public int[] AtrousRates { get; init; } = [12, 24, 36];

    /// <summary>Channels of the ASPP branches and the DeepLab head (torchvision: 256).</summary>
    public int AsppChannels { get; init; } = 256;
}
