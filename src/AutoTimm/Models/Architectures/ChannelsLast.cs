using static TorchSharp.torch;

namespace AutoTimm.Models.Architectures;

/// <summary>
/// Puts image tensors in PyTorch's channels-last layout (shape [N,C,H,W], NHWC strides), which TorchSharp 0.107
/// has no memory-format API for. Convolutions then run oneDNN's NHWC kernels, and their outputs (and BatchNorm's,
/// ReLU's) stay channels-last through the network.
/// </summary>
/// <remarks>
/// Measured on the project's CI machines at oneDNN's default ISA: a <c>resnet10_tiny</c> training step is ~1.5x
/// faster in NHWC. Correctness is not the layout's doing: on some hosts oneDNN has wrong kernels in both layouts,
/// which <see cref="Native.OneDnnIsa"/> measures and avoids; <c>ConvolutionAccuracyTests</c> checks every layer of
/// every architecture family against float64.
/// </remarks>
internal static class ChannelsLast
{
    /// <summary>The same values as <paramref name="images"/> [N,C,H,W], laid out NHWC; differentiable.</summary>
    /// <remarks>
    /// The intermediate views are held (and freed) here: a temporary of a chained call is garbage once its native
    /// handle is read, and outside a dispose scope its finalizer could free that handle while libtorch still copies from
    /// it (seen as a segfault in <c>contiguous</c> while <c>eval()</c> relaid a model's weights).
    /// </remarks>
    public static Tensor Of(Tensor images)
    {
        using var nhwc = images.permute(0, 2, 3, 1);
        using var packed = nhwc.contiguous();
        return packed.permute(0, 3, 1, 2);
    }

    /// <summary>
    /// Lays out, in place, every convolution weight of <paramref name="root"/> with a kernel larger than 1x1 as
    /// <c>[O, kh, kw, C]</c> in memory (channels-last) or back as <c>[O, C, kh, kw]</c>, keeping its values and its
    /// <c>Parameter</c>. Weights already laid out so are left alone.
    /// </summary>
    /// <remarks>
    /// A channels-last convolution in libtorch makes its weight channels-last too, by copying it on every call, before
    /// oneDNN reorders it into its blocked format: for ResNet-50, 45 MB copied a forward. Measured on an AVX-512 host,
    /// 2 threads, one process alternating the two layouts (identical outputs): a batch-1 forward took 83.5 ms against
    /// 93.8 (paired ratio 0.90), a batch-8 forward 397 against 425 ms (0.91). 1x1 kernels are the same in both.
    /// </remarks>
    public static void Weights(nn.Module root, bool channelsLast)
    {
        ArgumentNullException.ThrowIfNull(root);
        using var _ = no_grad();
        foreach (var module in root.modules())
        {
            if (module is not TorchSharp.Modules.Conv2d { weight: { } weight } || weight.dim() != 4 || weight.shape[2] * weight.shape[3] == 1) continue;
            if (channelsLast ? IsChannelsLast(weight) : weight.is_contiguous()) continue;
            using var laidOut = channelsLast ? Of(weight) : weight.contiguous();
            weight.set_(laidOut);
        }
    }

    /// <summary>Whether <paramref name="x"/> [N,C,H,W] is laid out NHWC within each image (channels innermost, then columns).</summary>
    public static bool IsChannelsLast(Tensor x) =>
        x.dim() == 4 && x.stride(1) == 1 && x.stride(3) == x.shape[1] && x.stride(2) == x.shape[1] * x.shape[3];
}
