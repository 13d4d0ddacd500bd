namespace AutoTimm.Interpretation.Metrics;

/// <summary>Parameters of ROAD (remove and debias, Rong et al. 2022); every result records them.</summary>
public sealed record RoadOptions
{
    /// <summary>
    /// The percentiles, as pytorch-grad-cam's averagers use them: at percentile p, most-relevant-first keeps the
    /// <c>ceil(p (N - 1) / 100)</c> least salient pixels of N and imputes the rest; least-relevant-first keeps as many
    /// of the most salient.
    /// </summary>
    public IReadOnlyList<int> Percentiles { get; init; } = [10, 20, 30, 40, 50, 60, 70, 80, 90];

    /// <summary>Standard deviation of the Gaussian noise added to imputed pixels, in model-input space (pytorch-grad-cam: 0.01); 0 for none.</summary>
    public double Noise { get; init; } = 0.01;

    /// <summary>Seed of that noise; imputed image <c>k</c> of a call draws from its own seed (<c>Seed * 1000003 + k</c>), so results do not depend on the batch size.</summary>
    public long Seed { get; init; }

    /// <summary>The tracked score.</summary>
    public TrackedScore Score { get; init; } = TrackedScore.Probability;

    /// <summary>Imputed images per forward.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Checks the values.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Percentiles, nameof(Percentiles));
        if (Percentiles.Count == 0) throw new ArgumentException("ROAD needs at least one percentile", nameof(Percentiles));
        foreach (var p in Percentiles)
            if (p is <= 0 or >= 100) throw new ArgumentOutOfRangeException(nameof(Percentiles), p, "percentiles lie strictly between 0 and 100");
        if (!(Noise >= 0 && double.IsFinite(Noise))) throw new ArgumentOutOfRangeException(nameof(Noise), Noise, "the noise must be finite and non-negative");
        if (!Enum.IsDefined(Score)) throw new ArgumentOutOfRangeException(nameof(Score), Score, "unknown score");
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1, nameof(BatchSize));
    }
}
