using static TorchSharp.torch;

namespace AutoTimm.Training;

/// <summary>A batch of model inputs <c>[N,3,H,W]</c> and integer class labels <c>[N]</c>; owns both tensors.</summary>
/// <param name="Images">Preprocessed model inputs.</param>
/// <param name="Labels">Class indices (int64).</param>
public sealed record TrainingBatch(Tensor Images, Tensor Labels) : IDisposable
{
    /// <summary>Number of samples.</summary>
    public int Count => (int)Images.shape[0];

    /// <inheritdoc/>
    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}
