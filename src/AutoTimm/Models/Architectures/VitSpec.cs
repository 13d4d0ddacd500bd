namespace AutoTimm.Models.Architectures;

/// <summary>Shape of a Vision Transformer, in timm's terms.</summary>
public sealed record VitSpec
{
    /// <summary>Input image side in pixels (square).</summary>
    public int ImageSize { get; init; } = 224;

    /// <summary>Patch side in pixels.</summary>
    public int PatchSize { get; init; } = 16;

    /// <summary>Token embedding width.</summary>
    public int EmbedDim { get; init; } = 192;

    /// <summary>Number of transformer blocks.</summary>
    public int Depth { get; init; } = 12;

    /// <summary>Attention heads per block.</summary>
    public int NumHeads { get; init; } = 3;

    /// <summary>MLP hidden width as a multiple of <see cref="EmbedDim"/>.</summary>
    public double MlpRatio { get; init; } = 4.0;

    /// <summary>
    /// Output channels of a convolutional stem (one stride-2 3x3 convolution each, so 2^count = <see cref="PatchSize"/>)
    /// used instead of the single patch projection; null for timm's linear patch embedding.
    /// </summary>
    public IReadOnlyList<int>? StemChannels { get; init; }

    /// <summary>Patches per side.</summary>
    public int GridSize => ImageSize / PatchSize;
}
