namespace AutoTimm.Interpretation.Metrics;

/// <summary>What replaces deleted pixels in a deletion curve (METRICS.md).</summary>
public enum DeletionSubstrate
{
    /// <summary>Zeros in model-input (normalized) space: the dataset mean colour. The default.</summary>
    Zeros,
    /// <summary>A black image pushed through the model's normalization.</summary>
    Black,
    /// <summary>The image's own per-channel mean.</summary>
    Mean,
    /// <summary>The Gaussian-blurred image (kernel 11, sigma 5), as insertion starts from.</summary>
    Blur,
}

/// <summary>Parameters of deletion and insertion curves (RISE, Petsiuk et al. 2018); every result records them.</summary>
public sealed record PerturbationOptions
{
    /// <summary>Pixels changed per step; null for H*W/100 (100 steps).</summary>
    public int? PixelsPerStep { get; init; }

    /// <summary>What deleted pixels become.</summary>
    public DeletionSubstrate Substrate { get; init; } = DeletionSubstrate.Zeros;

    /// <summary>Side of the Gaussian kernel insertion starts from (odd).</summary>
    public int BlurKernel { get; init; } = 11;

    /// <summary>Sigma of that kernel, in pixels.</summary>
    public double BlurSigma { get; init; } = 5;

    /// <summary>Perturbed images per forward: memory is bounded by this, not by the step count.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Checks the values.</summary>
    public void Validate()
    {
        if (PixelsPerStep is { } p) ArgumentOutOfRangeException.ThrowIfLessThan(p, 1, nameof(PixelsPerStep));
        if (BlurKernel < 1 || BlurKernel % 2 == 0) throw new ArgumentOutOfRangeException(nameof(BlurKernel), BlurKernel, "the blur kernel side must be odd and positive");
        if (!(BlurSigma > 0 && double.IsFinite(BlurSigma))) throw new ArgumentOutOfRangeException(nameof(BlurSigma), BlurSigma, "sigma must be positive");
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1, nameof(BatchSize));
        if (!Enum.IsDefined(Substrate)) throw new ArgumentOutOfRangeException(nameof(Substrate), Substrate, "unknown substrate");
    }
}
