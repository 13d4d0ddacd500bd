namespace AutoTimm.Interpretation.Metrics;

/// <summary>Parameters of infidelity (Yeh et al. 2019; Captum's <c>infidelity</c>); every result records them.</summary>
public sealed record InfidelityOptions
{
    /// <summary>Standard deviation of the Gaussian perturbation I, in model-input space.</summary>
    public double NoiseStd { get; init; } = 0.1;

    /// <summary>Perturbations drawn (Captum 10).</summary>
    public int Samples { get; init; } = 10;

    /// <summary>
    /// Scale the attributions by the least-squares optimal beta first (Captum's <c>normalize=True</c>), so only their
    /// shape counts, not their scale.
    /// </summary>
    public bool Normalize { get; init; }

    /// <summary>The tracked score (Captum: whatever the forward function returns; here the logit by default).</summary>
    public TrackedScore Score { get; init; } = TrackedScore.Logit;

    /// <summary>Seed of the perturbations; sample <c>k</c> draws from its own seed (<c>Seed * 1000003 + k</c>).</summary>
    public long Seed { get; init; }

    /// <summary>Perturbed images per forward.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Checks the values.</summary>
    public void Validate()
    {
        if (!(NoiseStd > 0 && double.IsFinite(NoiseStd))) throw new ArgumentOutOfRangeException(nameof(NoiseStd), NoiseStd, "the noise must be positive and finite");
        ArgumentOutOfRangeException.ThrowIfLessThan(Samples, 1, nameof(Samples));
        if (!Enum.IsDefined(Score)) throw new ArgumentOutOfRangeException(nameof(Score), Score, "unknown score");
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1, nameof(BatchSize));
    }
}
