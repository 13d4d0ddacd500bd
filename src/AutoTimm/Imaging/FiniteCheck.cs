using System.Numerics;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace AutoTimm.Imaging;

/// <summary>
/// Whether every value of a tensor is finite. A contiguous float32 tensor in CPU memory is read in place with SIMD (no
/// libtorch call and so no thread-pool wake-up: tens of microseconds for a 224 px image instead of a millisecond or
/// two); anything else asks libtorch.
/// </summary>
internal static class FiniteCheck
{
    public static bool All(Tensor tensor)
    {
        if (tensor.device_type == TorchSharp.DeviceType.CPU && tensor.dtype == ScalarType.Float32 && tensor.is_contiguous()
            && tensor.NumberOfElements * sizeof(float) <= int.MaxValue)
            return All(MemoryMarshal.Cast<byte, float>(tensor.bytes));
        // Each result held: outside a dispose scope an unheld temporary's finalizer could free it while all() reads it.
        using var isFinite = tensor.isfinite();
        using var finite = isFinite.all();
        return finite.item<bool>();
    }

    /// <summary>Whether every value is finite (x - x is 0 for a finite x and NaN for NaN and the infinities).</summary>
    public static bool All(ReadOnlySpan<float> values)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vectors = MemoryMarshal.Cast<float, Vector<float>>(values);
            for (int v = 0; v < vectors.Length; v++)
                if (!Vector.EqualsAll(vectors[v] - vectors[v], Vector<float>.Zero)) return false;
            i = vectors.Length * Vector<float>.Count;
        }
        for (; i < values.Length; i++)
            if (!float.IsFinite(values[i])) return false;
        return true;
    }
}
