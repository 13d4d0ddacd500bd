using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace AutoTimm.Interpretation;

/// <summary>Separable Gaussian blur of <c>[N,C,H,W]</c> tensors with reflect padding (kernel clipped to the image).</summary>
internal static class GaussianBlur
{
    public static Tensor Apply(Tensor images, int kernelSize, double sigma)
    {
        int radius = Math.Min(kernelSize / 2, (int)Math.Min(images.shape[2], images.shape[3]) - 1);
        if (radius < 1 || sigma <= 0) return images.clone();
        var taps = new float[2 * radius + 1];
        double sum = 0;
        for (int i = -radius; i <= radius; i++) sum += taps[i + radius] = (float)Math.Exp(-i * i / (2 * sigma * sigma));
        for (int i = 0; i < taps.Length; i++) taps[i] = (float)(taps[i] / sum);
        long c = images.shape[1];
        using var scope = NewDisposeScope();
        var kernel = tensor(taps, dtype: images.dtype, device: images.device);
        var horizontal = kernel.reshape(1, 1, 1, -1).expand(c, 1, 1, -1);
        var vertical = kernel.reshape(1, 1, -1, 1).expand(c, 1, -1, 1);
        var x = F.pad(images, [radius, radius, radius, radius], TorchSharp.PaddingModes.Reflect);
        x = F.conv2d(x, horizontal, groups: c);
        x = F.conv2d(x, vertical, groups: c);
        return x.MoveToOuterDisposeScope();
    }
}
