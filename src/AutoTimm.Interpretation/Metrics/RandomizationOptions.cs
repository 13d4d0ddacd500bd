namespace AutoTimm.Interpretation.Metrics;

/// <summary>Parameters of the cascading model-parameter randomization check (Adebayo et al. 2018); every result records them.</summary>
public sealed record RandomizationOptions
{
    /// <summary>Seed of the new weights; layer step <c>k</c> draws from its own seed (<c>Seed * 1000003 + k</c>).</summary>
    public long Seed { get; init; }

    /// <summary>Randomize at most this many layers, from the top; null for all of them.</summary>
    public int? MaxSteps { get; init; }

    /// <summary>Images explained per batch at each step.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Checks the values.</summary>
    public void Validate()
    {
        if (MaxSteps is { } m) ArgumentOutOfRangeException.ThrowIfLessThan(m, 1, nameof(MaxSteps));
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1, nameof(BatchSize));
    }
}
