using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace AutoTimm.Models.Architectures;

/// <summary>
/// A strided convolution over few input channels (an image stem or a patch embedding) computed as the same
/// convolution at stride 1 over the space-to-depth rearranged input, when the input's gradient is wanted.
/// </summary>
/// <remarks>
/// <para>
/// With stride <c>s</c>, <c>conv(x, W, stride s) = conv(unshuffle_s(pad(x)), W', stride 1)</c>, where
/// <c>unshuffle_s</c> moves each <c>s x s</c> block of pixels into channels and <c>W'</c> is <c>W</c> zero-padded to
/// a multiple of <c>s</c> and rearranged the same way. The two are the same sums of the same products (the padded
/// taps add exact zeros), so they agree to float rounding and share its error bound.
/// </para>
/// <para>
/// Why: oneDNN computes the input gradient of a strided convolution with 1-4 input channels at a fraction of its
/// forward speed, because it vectorizes that pass over the input channels. Measured on an AVX-512 host, 2 threads,
/// batch 25 at 224 px, NHWC: the ResNet stem (7x7/2, 3 to 64 channels) took 174 ms for its input gradient against
/// 31 ms for its forward, 16% of a whole ResNet-18 forward and input gradient; in the rearranged form (4x4/1, 12
/// to 64 channels) 67 ms. Forward and input gradient together, direct against rearranged: 7x7/2 196 against 119 ms,
/// 5x5/2 143 against 118, 4x4/2 91 against 67, 11x11/4 168 against 74, 16x16/16 67 against 26, 8x8/8 30 against 20;
/// the same at batch 1 and in NCHW. Where the kernel is shorter than twice the stride and not equal to it, the
/// padding to a multiple of the stride costs more than it saves (3x3/2: 28 against 47 ms), so those stay direct.
/// The forward alone is faster direct (7x7/2: 51 against 68 ms), which is why inference, and training (where the
/// input needs no gradient), keep the direct form.
/// </para>
/// </remarks>
internal static class SpaceToDepthConvolution
{
    /// <summary>Input channels up to which the rearranged form is used: grayscale, RGB and RGBA images.</summary>
    public const long MaxInChannels = 4;

    /// <summary>
    /// <c>conv2d(x, weight, bias)</c> with the given geometry; in the rearranged form when the geometry suits it and
    /// the input's gradient will be computed (<paramref name="x"/> requires grad and grad mode is on).
    /// </summary>
    public static Tensor Conv2d(Tensor x, Tensor weight, Tensor? bias, long[] stride, long[] padding, long[] dilation, long groups)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(weight);
        if (x.dim() == 4 && x.requires_grad && is_grad_enabled() && Suits(weight.shape, stride, padding, dilation, groups))
            return Rearranged(x, weight, bias, ConvolutionAxes.PerAxis(stride, 0), [ConvolutionAxes.PerAxis(padding, 0), ConvolutionAxes.PerAxis(padding, 1)]);
        return F.conv2d(x, weight, bias, stride, padding, dilation, groups);
    }

    /// <summary>
    /// Whether a convolution with weight shape <c>[O, C, kh, kw]</c> and this geometry is computed rearranged when
    /// its input's gradient is wanted: one stride on both axes, above 1; no dilation or groups; at most
    /// <see cref="MaxInChannels"/> input channels; each kernel side equal to the stride or at least twice it.
    /// </summary>
    public static bool Suits(long[] weightShape, long[] stride, long[] padding, long[] dilation, long groups)
    {
        ArgumentNullException.ThrowIfNull(weightShape);
        if (weightShape.Length != 4 || groups != 1 || weightShape[1] > MaxInChannels) return false;
        if (dilation.Any(d => d != 1) || padding.Any(p => p < 0)) return false;
        long s = ConvolutionAxes.PerAxis(stride, 0);
        if (s < 2 || ConvolutionAxes.PerAxis(stride, 1) != s) return false;
        return weightShape[2..].All(k => k == s || k >= 2 * s);
    }

    /// <summary>
    /// The convolution at stride <paramref name="stride"/> with zero padding <paramref name="padding"/> (rows,
    /// columns), computed rearranged. The input's layout (NCHW or channels-last) is kept.
    /// </summary>
    public static Tensor Rearranged(Tensor x, Tensor weight, Tensor? bias, long stride, long[] padding)
    {
        long outChannels = weight.shape[0], inChannels = weight.shape[1];
        long[] kernel = [weight.shape[2], weight.shape[3]];
        // Kernel sides rounded up to multiples of the stride, in taps and in blocks.
        long[] blocks = [(kernel[0] + stride - 1) / stride, (kernel[1] + stride - 1) / stride];
        var padded = F.pad(weight, [0, blocks[1] * stride - kernel[1], 0, blocks[0] * stride - kernel[0]]);
        // [O, C, bh, s, bw, s] -> [O, C, s, s, bh, bw]: the channel order of pixel_unshuffle (c, row in block, column in block).
        var rearrangedWeight = padded.reshape(outChannels, inChannels, blocks[0], stride, blocks[1], stride)
            .permute(0, 1, 3, 5, 2, 4).reshape(outChannels, inChannels * stride * stride, blocks[0], blocks[1]);

        // The padded input covers exactly the windows of the outputs: (out - 1) * s + blocks * s rows. Rows the
        // strided convolution never reads are cut (a negative pad).
        var pads = new long[4];
        for (int axis = 0; axis < 2; axis++)
        {
            long size = x.shape[2 + axis];
            long output = ConvolutionAxes.OutputSize(size, kernel[axis], stride, padding[axis]);
            long extent = (output - 1 + blocks[axis]) * stride;
            // F.pad lists the last axis first: [left, right, top, bottom].
            pads[2 - 2 * axis] = padding[axis];
            pads[3 - 2 * axis] = extent - size - padding[axis];
        }
        var blocked = F.pixel_unshuffle(F.pad(x, pads), stride);
        if (ChannelsLast.IsChannelsLast(x)) blocked = ChannelsLast.Of(blocked);
        return F.conv2d(blocked, rearrangedWeight, bias);
    }
}
