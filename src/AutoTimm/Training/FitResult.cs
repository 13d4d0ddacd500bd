namespace AutoTimm.Training;

/// <summary>Metrics of one finished epoch.</summary>
/// <param name="Epoch">Epoch index, from 0.</param>
/// <param name="Metrics">Metric values by name.</param>
public sealed record EpochRecord(int Epoch, IReadOnlyDictionary<string, double> Metrics);

/// <summary>Outcome of <see cref="AutoTrainer.Fit"/>.</summary>
public sealed record FitResult
{
    /// <summary>Per-epoch metrics, including epochs of a run this one resumed.</summary>
    public required IReadOnlyList<EpochRecord> History { get; init; }

    /// <summary>Best value of the monitored metric, if any was computed.</summary>
    public double? BestMetric { get; init; }

    /// <summary>Path of the best checkpoint, when checkpointing.</summary>
    public string? BestCheckpoint { get; init; }

    /// <summary>Path of the last checkpoint, when checkpointing.</summary>
    public string? LastCheckpoint { get; init; }

    /// <summary>Why training ended before <c>MaxEpochs</c>, or null.</summary>
    public string? StopReason { get; init; }

    /// <summary>Wall time of this fit call.</summary>
    public TimeSpan Elapsed { get; init; }
}
