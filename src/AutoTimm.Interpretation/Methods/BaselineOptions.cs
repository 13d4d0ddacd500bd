using AutoTimm.Interpretation.Engine;

namespace AutoTimm.Interpretation.Methods;

/// <summary>Options of the reference baselines that quality metrics compare real methods against.</summary>
public sealed record BaselineOptions : IMethodOptions
{
    /// <summary>Seed of the random baseline: each image draws from a generator seeded by this seed and the image's bytes.</summary>
    public long Seed { get; init; }

    /// <summary>Standard deviation of the centre baseline's Gaussian, as a fraction of the shorter image side.</summary>
    public double CenterSigma { get; init; } = 0.25;

    /// <inheritdoc/>
    public void Validate()
    {
        if (!(CenterSigma > 0 && double.IsFinite(CenterSigma)))
            throw new ArgumentOutOfRangeException(nameof(CenterSigma), CenterSigma, "the centre baseline's sigma must be a positive fraction of the image side, e.g. 0.25");
    }
}
