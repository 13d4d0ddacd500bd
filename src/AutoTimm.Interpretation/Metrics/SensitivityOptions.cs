namespace AutoTimm.Interpretation.Metrics;

/// <summary>Parameters of max- and avg-sensitivity (Yeh et al. 2019); every result records them.</summary>
public sealed record SensitivityOptions
{
    /// <summary>Radius r of the L-infinity ball the perturbations are drawn from, in model-input space (Captum 0.02; Quantus 0.2).</summary>
    public double Radius { get; init; } = 0.02;

    /// <summary>Perturbed copies n (Captum 10; Quantus 200).</summary>
    public int Samples { get; init; } = 10;

    /// <summary>Seed of the perturbations; sample <c>k</c> draws from its own seed (<c>Seed * 1000003 + k</c>).</summary>
    public long Seed { get; init; }

    /// <summary>Perturbed copies explained per batch.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Checks the values.</summary>
    public void Validate()
    {
        if (!(Radius > 0 && double.IsFinite(Radius))) throw new ArgumentOutOfRangeException(nameof(Radius), Radius, "the radius must be positive and finite");
        ArgumentOutOfRangeException.ThrowIfLessThan(Samples, 1, nameof(Samples));
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1, nameof(BatchSize));
    }
}
