namespace AutoTimm.Training;

/// <summary>The loss became NaN or infinite; the last good checkpoint is kept.</summary>
public sealed class TrainingDivergedException(string message, string? lastGoodCheckpoint) : Exception(message)
{
    /// <summary>Path of the last checkpoint written before divergence, if any.</summary>
    public string? LastGoodCheckpoint { get; } = lastGoodCheckpoint;
}
