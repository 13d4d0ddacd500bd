namespace AutoTimm.Training;

/// <summary>Supplies an epoch's batches. Implementations decide order per epoch (seeded shuffling) and overlap loading with compute.</summary>
public interface IBatchSource
{
    /// <summary>Batches per epoch (for schedules and progress).</summary>
    int BatchesPerEpoch { get; }

    /// <summary>The batches of one epoch; the consumer disposes each batch.</summary>
    IEnumerable<TrainingBatch> Batches(int epoch);
}
