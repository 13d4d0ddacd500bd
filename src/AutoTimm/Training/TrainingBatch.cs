using static TorchSharp.torch;

namespace AutoTimm.Training;

/// <summary>
/// A batch of model inputs <c>[N,3,H,W]</c> and what the model should predict for them; owns both tensors. Targets
/// are int64 class indices <c>[N]</c> for classification, int64 class masks <c>[N,H,W]</c> for segmentation, and
/// float32 boxes <c>[N,M,5]</c> (x0, y0, x1, y1, class; rows with class -1 are padding) for detection.
/// </summary>
/// <param name="Images">Preprocessed model inputs.</param>
/// <param name="Targets">What the model should predict, as the task's objective reads it.</param>
public sealed record TrainingBatch(Tensor Images, Tensor Targets) : IDisposable
{
    /// <summary>Number of samples.</summary>
    public int Count => (int)Images.shape[0];

    /// <inheritdoc/>
    public void Dispose()
    {
        Images.Dispose();
        Targets.Dispose();
    }
}
