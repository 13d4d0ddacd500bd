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
    public static Tensor Of(Tensor images) => images.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
}
