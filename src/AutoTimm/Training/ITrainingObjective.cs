using AutoTimm.Models;
using static TorchSharp.torch;

namespace AutoTimm.Training;

/// <summary>
/// What a task trains for: the loss of a batch, an optional running training metric, and the validation metrics
/// chosen checkpoints are judged by. <see cref="AutoTrainer"/> is the same loop for every task.
/// </summary>
public interface ITrainingObjective
{
    /// <summary>Name of the running training metric (<c>train_acc</c>), or null when the task has none per batch.</summary>
    string? TrainMetricName { get; }

    /// <summary>The scalar loss of one batch: the model's output and the batch's targets.</summary>
    Tensor Loss(Tensor output, Tensor targets);

    /// <summary>How many of the batch's samples count as right for <see cref="TrainMetricName"/> (ignored when it is null).</summary>
    long Correct(Tensor output, Tensor targets);

    /// <summary>Validation metrics by name (<c>val_loss</c>, <c>val_acc</c>, <c>val_map50</c>, <c>val_miou</c>, ...).</summary>
    IReadOnlyDictionary<string, double> Validate(VisionModel model, IBatchSource validation, IProgress<WorkProgress>? progress, string stage);
}
