using AutoTimm.Native;
using static TorchSharp.torch;

namespace AutoTimm.Tests.Native;

/// <summary>Values copied out of tensors in row-major order whatever their strides, and dtypes checked.</summary>
public sealed class TensorValuesTests
{
    [Fact]
    public void Should_copy_values_in_row_major_order_from_contiguous_strided_and_channels_last_tensors()
    {
        using var t = arange(24, dtype: ScalarType.Float32).reshape(2, 3, 4);
        Assert.Equal(Enumerable.Range(0, 24).Select(i => (float)i), t.CopyToArray<float>());
        // A transposed view: row-major order of the view, not of the storage.
        using var transposed = t.transpose(1, 2);
        float[] expected = [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11, 12, 16, 20, 13, 17, 21, 14, 18, 22, 15, 19, 23];
        Assert.Equal(expected, transposed.CopyToArray<float>());
        // Channels-last [N,C,H,W]: NCHW order, as data<T>() walks it.
        using var image = arange(2 * 3 * 2 * 2, dtype: ScalarType.Float64).reshape(2, 3, 2, 2);
        using var channelsLast = image.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
        Assert.Equal(image.data<double>().ToArray(), channelsLast.CopyToArray<double>());
        Assert.Equal([7L], tensor(7L).CopyToArray<long>());
        Assert.Empty(zeros(0, 3).CopyToArray<float>());
        Assert.Equal([true, false], tensor(new[] { true, false }).CopyToArray<bool>());
    }

    [Fact]
    public void Should_refuse_a_dtype_other_than_the_element_type()
    {
        using var t = zeros(2, 2, dtype: ScalarType.Float64);
        var e = Assert.Throws<ArgumentException>(() => t.CopyToArray<float>());
        Assert.Contains("Float64", e.Message, StringComparison.Ordinal);
    }
}
