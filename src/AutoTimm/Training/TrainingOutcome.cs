namespace AutoTimm.Training;

/// <summary>Result of <see cref="ClassifierTraining.Run"/>.</summary>
public sealed record TrainingOutcome
{
    /// <summary>The final model file (the best validation checkpoint, with class names).</summary>
    public required string ModelPath { get; init; }

    /// <summary>Provenance file written beside the model.</summary>
    public required string ProvenancePath { get; init; }

    /// <summary>Evaluation of the final model on the held-out test data.</summary>
    public required ClassificationReport Test { get; init; }

    /// <summary>The trainer's result (history, checkpoints, stop reason).</summary>
    public required FitResult Fit { get; init; }
}
