using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace AutoTimm.Native;

/// <summary>
/// A tensor's values copied into a managed array, at memory speed. TorchSharp's <c>data&lt;T&gt;().ToArray()</c>
/// walks a tensor of two or more dimensions element by element through an iterator (1.1 ms for a 224x224 map, about
/// as long as the whole Grad-CAM computation after the forward); this copies the contiguous bytes in one go.
/// </summary>
public static class TensorValues
{
    /// <summary>
    /// The values of <paramref name="tensor"/> in row-major order, whatever its device and strides. Its dtype must be
    /// the one <typeparamref name="T"/> stands for, as for <c>data&lt;T&gt;()</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The dtype is not <typeparamref name="T"/>'s.</exception>
    public static T[] CopyToArray<T>(this Tensor tensor) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var expected = ScalarTypeOf<T>();
        if (tensor.dtype != expected)
            throw new ArgumentException($"a {tensor.dtype} tensor cannot be read as {typeof(T).Name} (expected dtype {expected})", nameof(tensor));
        if (tensor.numel() == 0) return [];
        using var scope = NewDisposeScope();
        var values = tensor.detach().cpu().contiguous();
        // A span covers at most 2 GiB; larger tensors take TorchSharp's element-wise path.
        return values.numel() * values.ElementSize <= int.MaxValue ? MemoryMarshal.Cast<byte, T>(values.bytes).ToArray() : values.data<T>().ToArray();
    }

    private static ScalarType ScalarTypeOf<T>() => default(T) switch
    {
        float => ScalarType.Float32,
        double => ScalarType.Float64,
        long => ScalarType.Int64,
        int => ScalarType.Int32,
        short => ScalarType.Int16,
        byte => ScalarType.Byte,
        sbyte => ScalarType.Int8,
        bool => ScalarType.Bool,
        Half => ScalarType.Float16,
        _ => throw new NotSupportedException($"no tensor dtype for {typeof(T).Name}"),
    };
}
