using TorchSharp;

namespace AutoTimm.Tests.Fixtures;

internal static class TensorAssert
{
    /// <summary>Same dtype, same shape, every element equal.</summary>
    public static bool Identical(torch.Tensor a, torch.Tensor b)
    {
        if (a.dtype != b.dtype || !a.shape.SequenceEqual(b.shape)) return false;
        if (a.numel() == 0) return true;
        using var equal = a.eq(b);
        using var all = equal.all();
        return all.item<bool>();
    }
}
