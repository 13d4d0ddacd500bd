namespace AutoTimm.Data;

/// <summary>How a <see cref="DataLoader"/> batches a dataset.</summary>
public sealed record DataLoaderOptions
{
    /// <summary>Samples per batch.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Visit the samples in a different random order every epoch (seeded by <see cref="Seed"/> and the epoch).</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>Seed of the shuffling.</summary>
    public ulong Seed { get; init; }

    /// <summary>Leave out the last batch of an epoch when it is smaller than <see cref="BatchSize"/>.</summary>
    public bool DropLast { get; init; }

    /// <summary>How many batches the background worker prepares ahead of the consumer (bounded queue).</summary>
    public int Prefetch { get; init; } = 3;

    /// <summary>How many threads produce the samples of a batch (1 = the background worker alone).</summary>
    public int Workers { get; init; } = 1;

    internal void Validate()
    {
        const string owner = nameof(DataLoaderOptions);
        if (BatchSize < 1) throw new ArgumentException($"{owner}: batch size {BatchSize} must be at least 1.");
        if (Prefetch < 1) throw new ArgumentException($"{owner}: prefetch {Prefetch} must be at least 1.");
        if (Workers < 1) throw new ArgumentException($"{owner}: workers {Workers} must be at least 1.");
    }
}
