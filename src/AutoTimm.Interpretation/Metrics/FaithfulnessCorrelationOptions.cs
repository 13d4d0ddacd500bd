namespace AutoTimm.Interpretation.Metrics;

/// <summary>Parameters of faithfulness correlation (Bhatt et al. 2020); every result records them.</summary>
public sealed record FaithfulnessCorrelationOptions
{
    /// <summary>Random subsets drawn (Quantus 100).</summary>
    public int Runs { get; init; } = 100;

    /// <summary>Pixels per subset (Quantus 224), at most half the image.</summary>
    public int SubsetSize { get; init; } = 224;

    /// <summary>What the subset's pixels become.</summary>
    public DeletionSubstrate Substrate { get; init; } = DeletionSubstrate.Zeros;

    /// <summary>The tracked score.</summary>
    public TrackedScore Score { get; init; } = TrackedScore.Probability;

    /// <summary>Seed of the subsets.</summary>
    public int Seed { get; init; }

    /// <summary>Perturbed images per forward.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Checks the values.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Runs, 2, nameof(Runs));
        ArgumentOutOfRangeException.ThrowIfLessThan(SubsetSize, 1, nameof(SubsetSize));
        if (!Enum.IsDefined(Substrate)) throw new ArgumentOutOfRangeException(nameof(Substrate), Substrate, "unknown substrate");
        if (!Enum.IsDefined(Score)) throw new ArgumentOutOfRangeException(nameof(Score), Score, "unknown score");
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1, nameof(BatchSize));
    }
}
