namespace AutoTimm.Interpretation.Features;

/// <summary>Summary statistics of one layer's activations for one image.</summary>
/// <remarks>
/// <see cref="Std"/> is the sample standard deviation (as <c>torch.std</c>). A value counts as inactive when it is not
/// positive: after a ReLU that is exactly zero. A channel is active when its mean activation is positive.
/// </remarks>
public sealed record FeatureStatistics
{
    /// <summary>The layer's dotted name.</summary>
    public required string Layer { get; init; }

    /// <summary>Mean activation.</summary>
    public required double Mean { get; init; }

    /// <summary>Sample standard deviation of the activations.</summary>
    public required double Std { get; init; }

    /// <summary>Share of activations that are not positive (0 to 1).</summary>
    public required double Sparsity { get; init; }

    /// <summary>Largest activation.</summary>
    public required double Max { get; init; }

    /// <summary>Smallest activation.</summary>
    public required double Min { get; init; }

    /// <summary>Channels whose mean activation is positive.</summary>
    public required int ActiveChannels { get; init; }

    /// <summary>Channels of the layer.</summary>
    public required int Channels { get; init; }

    /// <summary>Height of the feature maps.</summary>
    public required int Height { get; init; }

    /// <summary>Width of the feature maps.</summary>
    public required int Width { get; init; }
}
