namespace AutoTimm.Training;

/// <summary>
/// Hooks into <see cref="AutoTrainer"/>'s loop. Every method has an empty default, so a callback implements only
/// what it needs. The context gives the model, optimizer, logger and current metrics.
/// </summary>
public interface ITrainerCallback
{
    /// <summary>Before the first epoch (after a resume, before the first remaining epoch).</summary>
    void OnTrainStart(TrainerContext context) { }

    /// <summary>At the start of each epoch.</summary>
    void OnEpochStart(TrainerContext context) { }

    /// <summary>Before each training batch.</summary>
    void OnBatchStart(TrainerContext context, TrainingBatch batch) { }

    /// <summary>After each training batch's optimizer step; <paramref name="loss"/> is the batch loss.</summary>
    void OnBatchEnd(TrainerContext context, TrainingBatch batch, double loss) { }

    /// <summary>After validation of an epoch; metrics hold <c>val_loss</c>, <c>val_acc</c>.</summary>
    void OnValidationEnd(TrainerContext context) { }

    /// <summary>At the end of each epoch, after validation and checkpointing.</summary>
    void OnEpochEnd(TrainerContext context) { }

    /// <summary>After the last epoch, or when training stops early.</summary>
    void OnTrainEnd(TrainerContext context) { }
}
