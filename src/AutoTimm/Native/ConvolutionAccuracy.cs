using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace AutoTimm.Native;

/// <summary>
/// Checks a float32 convolution, its input gradient and its weight gradient against the same computation in float64,
/// with a tolerance that is an error bound rather than a constant: every output element is a dot product of n
/// float32 terms, and any summation order (blocked, FMA or not) computes it within
/// <c>gamma_n * sum|a_i b_i|</c>, <c>gamma_n = n u / (1 - n u)</c>, <c>u = 2^-24</c> (Higham, Accuracy and Stability of
/// Numerical Algorithms, 3.1). The bound is evaluated per element, with the sums of absolute products computed in
/// float64 by the same convolution on absolute values.
/// </summary>
/// <remarks>
/// A correct kernel stays far inside the bound (measured ratios of 1e-4 to 1e-2); a wrong one, like the oneDNN kernels
/// this project met (errors the size of the values), exceeds it many times over. The float64 reference runs on
/// libtorch's non-oneDNN path (oneDNN has no float64 convolutions), and the float32 operands convert to float64
/// exactly, so the reference is the exact result of the same operands up to float64 rounding.
/// </remarks>
internal static class ConvolutionAccuracy
{
    private const double UnitRoundoff = 1.0 / (1 << 24);

    /// <summary>Higham's gamma_n for float32.</summary>
    public static double Gamma(long n) => n * UnitRoundoff / (1 - n * UnitRoundoff);

    /// <summary>
    /// Runs <paramref name="convolution"/> (by default <see cref="F.conv2d"/>) on float32 <paramref name="input"/> and
    /// <paramref name="weight"/> with output gradient <paramref name="outputGradient"/>, and compares the output and
    /// both gradients with float64. The layouts (strides) of the operands are kept, so an NHWC input runs NHWC kernels.
    /// </summary>
    public static IReadOnlyList<ConvolutionPassError> Measure(
        Tensor input, Tensor weight, Tensor outputGradient, ConvolutionGeometry geometry, Func<Tensor, Tensor, Tensor>? convolution = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentNullException.ThrowIfNull(outputGradient);
        ArgumentNullException.ThrowIfNull(geometry);
        if (input.dtype != ScalarType.Float32 || weight.dtype != ScalarType.Float32)
            throw new ArgumentException($"The checked convolution runs in float32; got input {input.dtype}, weight {weight.dtype}.");
        convolution ??= geometry.Apply;

        using var scope = NewDisposeScope();
        using var grad = enable_grad();
        var (out32, dx32, dw32) = Passes(input, weight, outputGradient, convolution);
        var (out64, dx64, dw64) = Passes(input.to(ScalarType.Float64), weight.to(ScalarType.Float64), outputGradient.to(ScalarType.Float64), geometry.Apply);
        // Sums of absolute products: the same linear maps applied to absolute values.
        var (absOut, absDx, absDw) = Passes(input.to(ScalarType.Float64).abs(), weight.to(ScalarType.Float64).abs(), outputGradient.to(ScalarType.Float64).abs(), geometry.Apply);

        long kernelArea = weight.shape[2] * weight.shape[3];
        long outputChannelsPerGroup = weight.shape[0] / geometry.Groups;
        long outputPositions = outputGradient.shape[0] * outputGradient.shape[2] * outputGradient.shape[3];
        return
        [
            Compare("forward", out32, out64, absOut, weight.shape[1] * kernelArea),
            // Each input element receives at most (output channels per group) x (kernel area) products.
            Compare("input gradient", dx32, dx64, absDx, outputChannelsPerGroup * kernelArea),
            Compare("weight gradient", dw32, dw64, absDw, outputPositions),
        ];
    }

    private static (Tensor Output, Tensor InputGradient, Tensor WeightGradient) Passes(
        Tensor input, Tensor weight, Tensor outputGradient, Func<Tensor, Tensor, Tensor> convolution)
    {
        var x = input.detach().requires_grad_(true);
        var w = weight.detach().requires_grad_(true);
        var output = convolution(x, w);
        var grads = autograd.grad([output], [x, w], [outputGradient]);
        return (output.detach(), grads[0], grads[1]);
    }

    private static ConvolutionPassError Compare(string pass, Tensor actual32, Tensor exact, Tensor absoluteSum, long dotLength)
    {
        var error = (actual32.to(ScalarType.Float64) - exact).abs();
        using Scalar gamma = Gamma(dotLength);
        var bound = absoluteSum.mul(gamma);
        // Where every product is zero the exact result is zero and so must be any float32 summation of it.
        var zero = Scalars.Of(0);
        var ratio = where(bound.gt(zero), error / bound.clamp_min(Scalars.Of(double.Epsilon)), where(error.gt(zero), full_like(error, Scalars.Of(double.PositiveInfinity)), zeros_like(error)));
        double norm = exact.norm().item<double>();
        double relative = norm > 0 ? error.norm().item<double>() / norm : error.norm().item<double>();
        return new ConvolutionPassError(pass, dotLength, ratio.max().item<double>(), relative);
    }
}

/// <summary>Stride, padding, dilation and groups of a 2-D convolution.</summary>
internal sealed record ConvolutionGeometry(long Stride = 1, long Padding = 0, long Dilation = 1, long Groups = 1)
{
    /// <summary>The convolution with this geometry, no bias.</summary>
    public Tensor Apply(Tensor input, Tensor weight) =>
        F.conv2d(input, weight, null, [Stride, Stride], [Padding, Padding], [Dilation, Dilation], Groups);
}

/// <summary>
/// One pass of a checked convolution: the dot-product length its bound uses, the largest ratio of an element's
/// error to its bound (a correct kernel stays below 1), and the relative L2 error against float64.
/// </summary>
internal sealed record ConvolutionPassError(string Pass, long DotLength, double BoundRatio, double RelativeError)
{
    /// <summary>Within the rounding-error bound.</summary>
    public bool WithinBound => BoundRatio <= 1;
}
