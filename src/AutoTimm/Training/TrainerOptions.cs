namespace AutoTimm.Training;

/// <summary>Settings of an <see cref="AutoTrainer"/>, with AutoTimm's defaults.</summary>
public sealed record TrainerOptions
{
    /// <summary>Epochs to train.</summary>
    public int MaxEpochs { get; init; } = 10;

    /// <summary>Optimizer.</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.AdamW;

    /// <summary>Peak learning rate.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Weight decay (decoupled for AdamW).</summary>
    public double WeightDecay { get; init; } = 0.05;

    /// <summary>Momentum for SGD.</summary>
    public double Momentum { get; init; } = 0.9;

    /// <summary>Learning-rate schedule.</summary>
    public LearningRateSchedule Schedule { get; init; } = new();

    /// <summary>Clip the global gradient norm to this value; null disables clipping.</summary>
    public double? GradientClipNorm { get; init; }

    /// <summary>Label smoothing of the cross-entropy loss.</summary>
    public double LabelSmoothing { get; init; }

    /// <summary>Seed of parameter initialisation and of every random draw during training.</summary>
    public long Seed { get; init; } = 42;

    /// <summary>Directory for <c>best</c>/<c>last</c> checkpoints and the resumable trainer state; null keeps nothing.</summary>
    public string? CheckpointDir { get; init; }

    /// <summary>What the model trains for; null for classification with <see cref="LabelSmoothing"/>.</summary>
    public ITrainingObjective? Objective { get; init; }

    /// <summary>Metric that decides the best checkpoint.</summary>
    public string MonitorMetric { get; init; } = "val_acc";

    /// <summary>Whether a larger monitored value is better.</summary>
    public bool MonitorMaximize { get; init; } = true;

    /// <summary>Continue from the trainer state in <see cref="CheckpointDir"/> when one is there.</summary>
    public bool Resume { get; init; }

    /// <summary>Callbacks, called in order.</summary>
    public IReadOnlyList<ITrainerCallback> Callbacks { get; init; } = [];

    /// <summary>Logger; null logs nothing.</summary>
    public ITrainingLogger? Logger { get; init; }

    /// <summary>Log the batch loss every this many steps.</summary>
    public int LogEveryNSteps { get; init; } = 50;

    /// <summary>Receives the progress of each epoch (batches done, running loss and throughput); silent when null.</summary>
    public IProgress<WorkProgress>? Progress { get; init; }

    /// <summary>Receives one line per epoch and every warning; silent when null.</summary>
    public Microsoft.Extensions.Logging.ILogger? Log { get; init; }
}
