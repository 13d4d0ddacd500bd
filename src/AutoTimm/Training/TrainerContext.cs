using AutoTimm.Models;
using TorchSharp;

namespace AutoTimm.Training;

/// <summary>What callbacks see of a running fit.</summary>
public sealed class TrainerContext
{
    internal TrainerContext(VisionModel model, torch.optim.Optimizer optimizer, ITrainingLogger logger, int maxEpochs)
    {
        Model = model;
        Optimizer = optimizer;
        Logger = logger;
        MaxEpochs = maxEpochs;
    }

    /// <summary>The model being trained.</summary>
    public VisionModel Model { get; }

    /// <summary>The optimizer.</summary>
    public torch.optim.Optimizer Optimizer { get; }

    /// <summary>The logger (never null: a <c>NullLogger</c> when logging is off).</summary>
    public ITrainingLogger Logger { get; }

    /// <summary>The validation batches of the fit, or null when it has none (for callbacks that measure on them).</summary>
    public IBatchSource? Validation { get; internal init; }

    /// <summary>Number of epochs the fit runs at most.</summary>
    public int MaxEpochs { get; }

    /// <summary>Current epoch, from 0.</summary>
    public int Epoch { get; internal set; }

    /// <summary>Optimizer steps taken so far.</summary>
    public long GlobalStep { get; internal set; }

    /// <summary>Latest metrics by name (<c>train_loss</c>, <c>train_acc</c>, <c>val_loss</c>, <c>val_acc</c>, <c>lr</c>).</summary>
    public Dictionary<string, double> Metrics { get; } = new(StringComparer.Ordinal);

    /// <summary>Set by a callback (e.g. early stopping) to end training after the current epoch.</summary>
    public bool StopRequested { get; set; }

    /// <summary>Why training stopped early, when a callback stopped it.</summary>
    public string? StopReason { get; set; }
}
