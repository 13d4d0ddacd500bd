using TorchSharp;

namespace AutoTimm.Data;

/// <summary>One batch from a <see cref="DataLoader"/>: images [N,3,H,W] float32 and labels [N] int64.</summary>
/// <remarks>
/// The tensors are created on the consuming thread, so they belong to whatever dispose scope is open there;
/// dispose the batch (or the scope) when done with it.
/// </remarks>
public sealed class Batch : IDisposable
{
    internal Batch(torch.Tensor images, torch.Tensor labels, int[] indices, int epoch, int number)
    {
        Images = images;
        Labels = labels;
        Indices = indices;
        Epoch = epoch;
        Number = number;
    }

    /// <summary>Images [N,3,H,W], float32, values as the dataset gave them.</summary>
    public torch.Tensor Images { get; }

    /// <summary>Labels [N], int64.</summary>
    public torch.Tensor Labels { get; }

    /// <summary>Dataset indices of the samples, in batch order.</summary>
    public IReadOnlyList<int> Indices { get; }

    /// <summary>Number of samples.</summary>
    public int Count => Indices.Count;

    /// <summary>The epoch this batch belongs to.</summary>
    public int Epoch { get; }

    /// <summary>Position of the batch within its epoch (0-based).</summary>
    public int Number { get; }

    /// <summary>Disposes both tensors.</summary>
    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}
