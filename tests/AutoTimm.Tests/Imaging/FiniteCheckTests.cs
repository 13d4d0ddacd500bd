using AutoTimm.Imaging;
using static TorchSharp.torch;

namespace AutoTimm.Tests.Imaging;

public sealed class FiniteCheckTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(1000)]
    [InlineData(1002)]
    public void Should_find_a_nan_or_an_infinity_anywhere_in_the_vectors_or_the_tail(int at)
    {
        foreach (var bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
        {
            var values = Enumerable.Range(0, 1003).Select(i => i * 1e30f).ToArray();
            Assert.True(FiniteCheck.All(tensor(values)));
            values[at] = bad;
            using var t = tensor(values);
            Assert.False(FiniteCheck.All(t));
            // The same answer from libtorch for layouts it reads itself.
            using var strided = t.reshape(17, 59).t();
            Assert.False(strided.is_contiguous());
            Assert.False(FiniteCheck.All(strided));
            using var doubles = t.to(ScalarType.Float64);
            Assert.False(FiniteCheck.All(doubles));
        }
        Assert.True(FiniteCheck.All(tensor(new[] { float.MaxValue, -float.MaxValue, float.Epsilon })));
    }
}
