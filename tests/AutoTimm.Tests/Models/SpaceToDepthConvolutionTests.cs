using AutoTimm.Models.Architectures;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace AutoTimm.Tests.Models;

/// <summary>
/// The space-to-depth form of a strided convolution is the same map as the direct one: in float64 its output and
/// its gradients with respect to input, weight and bias agree with <c>conv2d</c>'s to float64 rounding, for every
/// geometry it is used for, including inputs whose last rows or columns the strided convolution never reads.
/// </summary>
public sealed class SpaceToDepthConvolutionTests
{
    [Theory]
    [InlineData(3, 7, 7, 2, 3, 3, 32, 32)]   // ResNet stem
    [InlineData(3, 7, 7, 2, 3, 3, 33, 30)]   // odd rows: the last one is read by the last window only
    [InlineData(3, 7, 7, 2, 3, 3, 29, 35)]
    [InlineData(1, 5, 4, 2, 2, 1, 17, 18)]   // grayscale, rectangular kernel, padding per axis
    [InlineData(3, 11, 11, 4, 2, 2, 35, 37)] // AlexNet stem: the last rows are never read
    [InlineData(3, 8, 8, 8, 0, 0, 32, 40)]   // patch embedding
    [InlineData(4, 4, 4, 4, 0, 0, 19, 21)]   // patch embedding over an image that is not a multiple of the patch
    [InlineData(3, 16, 16, 16, 0, 0, 48, 32)]
    public void Should_equal_the_direct_convolution_and_its_gradients(int inChannels, int kh, int kw, int stride, int ph, int pw, int height, int width)
    {
        var generator = new Generator(20261201);
        var x = randn([2, inChannels, height, width], ScalarType.Float64, generator: generator);
        var weight = randn([5, inChannels, kh, kw], ScalarType.Float64, generator: generator);
        var bias = randn([5], ScalarType.Float64, generator: generator);
        Assert.True(SpaceToDepthConvolution.Suits(weight.shape, [stride, stride], [ph, pw], [1, 1], 1));

        var (direct, directGradients) = Run(x, weight, bias, (xi, wi, bi) => F.conv2d(xi, wi, bi, [stride, stride], [ph, pw]), generator: 3);
        var (rearranged, rearrangedGradients) = Run(x, weight, bias, (xi, wi, bi) => SpaceToDepthConvolution.Rearranged(xi, wi, bi, stride, [ph, pw]), generator: 3);

        Assert.Equal(direct.shape, rearranged.shape);
        // Every value is a sum of at most C*kh*kw (output) or 5*kh*kw (gradient) products of values around 1:
        // float64 rounding stays below 1e-12 of the sums' magnitudes.
        AssertClose(direct, rearranged, "output");
        string[] names = ["input gradient", "weight gradient", "bias gradient"];
        for (int i = 0; i < 3; i++) AssertClose(directGradients[i], rearrangedGradients[i], names[i]);
    }

    [Fact]
    public void Should_keep_a_channels_last_input_channels_last_and_an_nchw_input_nchw()
    {
        var x = randn(1, 3, 32, 32);
        var weight = randn(8, 3, 7, 7);
        var nhwc = SpaceToDepthConvolution.Rearranged(x.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2), weight, null, 2, [3, 3]);
        var nchw = SpaceToDepthConvolution.Rearranged(x, weight, null, 2, [3, 3]);
        Assert.Equal(1, nhwc.stride(1));
        Assert.Equal(1, nchw.stride(3));
        Assert.Equal(16 * 16, nchw.stride(1));
    }

    [Theory]
    [InlineData(3, 7, 2, 1, 1, 1, true)]
    [InlineData(3, 16, 16, 1, 1, 1, true)]
    [InlineData(4, 4, 2, 1, 1, 1, true)]
    [InlineData(3, 3, 2, 1, 1, 1, false)]  // kernel below twice the stride: the padded taps cost more than they save
    [InlineData(3, 7, 1, 1, 1, 1, false)]  // not strided
    [InlineData(5, 7, 2, 1, 1, 1, false)]  // too many input channels
    [InlineData(3, 7, 2, 2, 1, 1, false)]  // strides differ per axis
    [InlineData(3, 7, 2, 1, 2, 1, false)]  // dilated
    [InlineData(3, 7, 2, 1, 1, 3, false)]  // grouped
    public void Should_suit_strided_convolutions_over_few_channels_with_a_kernel_of_the_stride_or_twice_it(
        int inChannels, int kernel, int stride, int strideColumns, int dilation, int groups, bool suits)
    {
        long[] weightShape = [6 * groups, inChannels / groups, kernel, kernel];
        Assert.Equal(suits, SpaceToDepthConvolution.Suits(weightShape, [stride * strideColumns, stride], [1, 1], [dilation, dilation], groups));
    }

    [Fact]
    public void Should_compute_the_direct_form_when_no_input_gradient_is_wanted()
    {
        // Same operands, same kernels: the direct path is bit-identical to conv2d, whatever the rearranged one rounds.
        var generator = new Generator(11);
        var x = randn([2, 3, 64, 64], generator: generator);
        var weight = randn([16, 3, 7, 7], generator: generator);
        var expected = F.conv2d(x, weight, null, [2, 2], [3, 3]);
        using (no_grad())
            Assert.True(expected.equal(SpaceToDepthConvolution.Conv2d(x.requires_grad_(true), weight, null, [2, 2], [3, 3], [1, 1], 1)).all().item<bool>());
        Assert.True(expected.equal(SpaceToDepthConvolution.Conv2d(x.detach(), weight, null, [2, 2], [3, 3], [1, 1], 1)).all().item<bool>());
        var rearranged = SpaceToDepthConvolution.Rearranged(x.detach().requires_grad_(true), weight, null, 2, [3, 3]).detach();
        Assert.True(rearranged.equal(SpaceToDepthConvolution.Conv2d(x.detach().requires_grad_(true), weight, null, [2, 2], [3, 3], [1, 1], 1).detach()).all().item<bool>());
    }

    private static (Tensor Output, Tensor[] Gradients) Run(Tensor x, Tensor weight, Tensor bias, Func<Tensor, Tensor, Tensor, Tensor> convolution, int generator)
    {
        var xi = x.detach().requires_grad_(true);
        var wi = weight.detach().requires_grad_(true);
        var bi = bias.detach().requires_grad_(true);
        var output = convolution(xi, wi, bi);
        var outputGradient = randn(output.shape, ScalarType.Float64, generator: new Generator((ulong)generator));
        var gradients = autograd.grad([output], [xi, wi, bi], [outputGradient]);
        return (output.detach(), gradients.ToArray());
    }

    private static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        double scale = expected.abs().max().item<double>();
        double error = (expected - actual).abs().max().item<double>();
        Assert.True(scale > 0.1, $"{what}: degenerate case (max |value| {scale})");
        Assert.True(error <= 1e-12 * scale, $"{what}: max difference {error:E2} against max |value| {scale:E2}");
    }
}
