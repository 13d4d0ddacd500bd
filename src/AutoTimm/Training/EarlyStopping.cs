namespace AutoTimm.Training;

/// <summary>Stops training when a monitored metric has not improved for <see cref="Patience"/> epochs.</summary>
public sealed class EarlyStopping : ITrainerCallback
{
    private double _best;
    private int _bad;

    /// <summary>Creates the callback.</summary>
    /// <param name="monitor">Metric name, e.g. <c>val_loss</c> or <c>val_acc</c>.</param>
    /// <param name="patience">Epochs without improvement tolerated.</param>
    /// <param name="maximize">True when larger is better (accuracy); false for losses.</param>
    /// <param name="minDelta">Smallest change that counts as an improvement.</param>
    public EarlyStopping(string monitor = "val_loss", int patience = 5, bool maximize = false, double minDelta = 0)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(monitor);
        ArgumentOutOfRangeException.ThrowIfNegative(patience);
        Monitor = monitor;
        Patience = patience;
        Maximize = maximize;
        MinDelta = minDelta;
        _best = maximize ? double.NegativeInfinity : double.PositiveInfinity;
    }

    /// <summary>Metric watched.</summary>
    public string Monitor { get; }

    /// <summary>Epochs without improvement tolerated.</summary>
    public int Patience { get; }

    /// <summary>Whether larger is better.</summary>
    public bool Maximize { get; }

    /// <summary>Smallest change that counts as an improvement.</summary>
    public double MinDelta { get; }

    /// <inheritdoc/>
    public void OnEpochEnd(TrainerContext context)
    {
        if (!context.Metrics.TryGetValue(Monitor, out var value)) return;
        bool improved = Maximize ? value > _best + MinDelta : value < _best - MinDelta;
        if (improved)
        {
            _best = value;
            _bad = 0;
            return;
        }
        if (++_bad > Patience)
        {
            context.StopRequested = true;
            context.StopReason = $"early stopping: {Monitor} did not improve for {Patience} epochs (best {_best:G6})";
        }
    }
}
