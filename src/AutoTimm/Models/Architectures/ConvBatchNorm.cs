using AutoTimm.Native;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace AutoTimm.Models.Architectures;

/// <summary>
/// A convolution followed by BatchNorm. In eval mode BatchNorm is an affine map per channel, so
/// <c>bn(conv(x, W)) = conv(x, W * s) + (b - mean) * s + beta</c> with <c>s = gamma / sqrt(var + eps)</c>: one
/// convolution with folded weights instead of a convolution and a pass over the whole activation (and, under
/// autograd, a second pass in the backward).
/// </summary>
/// <remarks>
/// The weights are folded on every call, on the autograd graph, so gradients with respect to the convolution's and
/// BatchNorm's parameters are exact and nothing is cached that a weight update could leave stale. Folding costs one
/// pass over the weights, the normalization one pass over the activation; so a pair is folded only where the activation
/// is the larger (<c>N * H_out * W_out >= C_in / groups * kh * kw</c>): at batch 1 the early, high-resolution layers
/// of a ResNet, at a batch of 25 nearly all of them. The two forms agree to float rounding. The modules run as
/// themselves, through <c>call</c>, in training mode and whenever either has a forward hook, so a hook on a
/// convolution still sees the convolution's own output.
/// </remarks>
internal static class ConvBatchNorm
{
    /// <summary><c>norm(conv(x))</c>, folded into one convolution when that is exact and pays.</summary>
    public static Tensor Forward(nn.Module<Tensor, Tensor> conv, nn.Module<Tensor, Tensor> norm, Tensor x)
    {
        if (conv is not TorchSharp.Modules.Conv2d c || norm is not TorchSharp.Modules.BatchNorm2d bn || !Folds(c, bn, x))
            return norm.call(conv.call(x));
        var scale = bn.running_var!.add(Scalars.Of(bn.eps), Scalars.One).rsqrt();
        if (bn.affine) scale = scale * bn.weight;
        var shift = (c.bias is { } convBias ? convBias.add(bn.running_mean!, Scalars.Of(-1)) : bn.running_mean!.neg()) * scale;
        if (bn.affine) shift = shift.add(bn.bias!, Scalars.One);
        var weight = c.weight * scale.reshape(-1, 1, 1, 1);
        return SpaceToDepthConvolution.Conv2d(x, weight, shift, c.stride, c.padding!, c.dilation, c.groups);
    }

    internal static bool Folds(TorchSharp.Modules.Conv2d conv, TorchSharp.Modules.BatchNorm2d bn, Tensor x)
    {
        if (bn.training || bn.running_mean is null || bn.running_var is null || x.dim() != 4) return false;
        if (conv.padding is null || conv.padding_type is not null || conv.padding_mode != TorchSharp.PaddingModes.Zeros || conv.transposed) return false;
        if (conv.weight.dtype != bn.running_var.dtype) return false;
        long outH = OutputSize(x.shape[2], conv, 0), outW = OutputSize(x.shape[3], conv, 1);
        long weightPerChannel = conv.in_channels / conv.groups * conv.kernel_size[0] * conv.kernel_size[1];
        if (x.shape[0] * outH * outW < weightPerChannel) return false;
        return !ModuleHooks.Any(conv) && !ModuleHooks.Any(bn);
    }

    private static long OutputSize(long input, TorchSharp.Modules.Conv2d conv, int axis) =>
        ConvolutionAxes.OutputSize(input, ConvolutionAxes.PerAxis(conv.kernel_size, axis), ConvolutionAxes.PerAxis(conv.stride, axis),
            ConvolutionAxes.PerAxis(conv.padding!, axis), ConvolutionAxes.PerAxis(conv.dilation, axis));
}
