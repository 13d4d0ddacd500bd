namespace AutoTimm.Models.Architectures;

/// <summary>Per-axis arithmetic of 2-D convolutions as TorchSharp's <c>Conv2d</c> stores their geometry.</summary>
internal static class ConvolutionAxes
{
    /// <summary>The value of a stride, padding, dilation or kernel size for <paramref name="axis"/> (0 rows, 1 columns); one value stands for both.</summary>
    public static long PerAxis(long[] values, int axis) => values.Length == 1 ? values[0] : values[axis];

    /// <summary>Output length of a convolution along one axis.</summary>
    public static long OutputSize(long input, long kernel, long stride, long padding, long dilation = 1) =>
        (input + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1;
}
