namespace AutoTimm.Training;

/// <summary>Optimizers the trainer builds.</summary>
public enum OptimizerKind
{
    /// <summary>AdamW (decoupled weight decay).</summary>
    AdamW,
    /// <summary>SGD with (Nesterov-free) momentum.</summary>
    Sgd,
}
