using AutoTimm.Models;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace AutoTimm.Interpretation.Metrics;

/// <summary>What removed pixels become, for every metric that removes pixels (deletion, faithfulness correlation).</summary>
internal static class Substrates
{
    /// <summary>The substrate image for <paramref name="x"/> <c>[N,3,H,W]</c>.</summary>
    public static Tensor Of(DeletionSubstrate kind, VisionModel model, Tensor x, int blurKernel = 11, double blurSigma = 5) => kind switch
    {
        DeletionSubstrate.Zeros => zeros_like(x),
        DeletionSubstrate.Black => Black(model, x),
        DeletionSubstrate.Mean => x.mean([2L, 3L], keepdim: true).expand_as(x),
        DeletionSubstrate.Blur => Blur(x, blurKernel, blurSigma),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown substrate"),
    };

    /// <summary>A depthwise Gaussian blur with zero padding (RISE's insertion start), normalized sampled kernel.</summary>
    public static Tensor Blur(Tensor images, int kernel, double sigma)
    {
        var half = kernel / 2;
        var weights = Enumerable.Range(-half, kernel).Select(i => Math.Exp(-i * i / (2 * sigma * sigma))).ToArray();
        var sum = weights.Sum();
        var line = tensor(weights.Select(v => (float)(v / sum)).ToArray(), device: images.device);
        var k2 = line.unsqueeze(1).matmul(line.unsqueeze(0));
        long channels = images.shape[1];
        var filter = k2.expand(channels, 1, kernel, kernel).contiguous().to(images.dtype);
        return F.conv2d(images, filter, padding: [half, half], groups: channels);
    }

    /// <summary>A black image pushed through the model's normalization.</summary>
    public static Tensor Black(VisionModel model, Tensor x)
    {
        var p = model.Config.Preprocess;
        var mean = tensor(p.Mean, device: x.device).reshape(1, 3, 1, 1);
        var std = tensor(p.Std, device: x.device).reshape(1, 3, 1, 1);
        return ((zeros_like(x) - mean) / std).to(x.dtype).expand_as(x);
    }
}
