using static TorchSharp.torch;

namespace AutoTimm.Models.Architectures;

/// <summary>
/// Puts image tensors in PyTorch's channels-last layout (shape [N,C,H,W], NHWC strides), which TorchSharp 0.107
/// has no memory-format API for. Convolutions then run oneDNN's NHWC kernels, and their outputs (and BatchNorm's,
/// ReLU's) stay channels-last through the network.
/// </summary>
/// <remarks>
/// Two reasons, both measured on the project's CI machines (AMD EPYC family 26, virtualised): oneDNN's direct NCHW
/// kernels compute wrong input gradients there (float32 3x3 stride-1 and 8x8 stride-8 convolutions were off by
/// more than the gradients' own size, which broke Integrated Gradients' completeness and every CNN training step),
/// while the NHWC kernels match float64; and a training step of <c>resnet10_tiny</c> is ~1.5x faster in NHWC.
/// Tests check convolution input gradients against float64 so such a kernel cannot slip back in.
/// </remarks>
internal static class ChannelsLast
{
    /// <summary>The same values as <paramref name="images"/> [N,C,H,W], laid out NHWC; differentiable.</summary>
    public static Tensor Of(Tensor images) => images.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
}
