namespace AutoTimm.Models.Architectures;

/// <summary>Shape of a ResNet: block type, blocks per stage, stage widths and stem.</summary>
/// <param name="Bottleneck">Bottleneck blocks (ResNet-50 and deeper) instead of basic blocks.</param>
/// <param name="Layers">Blocks in each of the four stages.</param>
/// <param name="Widths">Planes of each stage (torchvision: 64, 128, 256, 512).</param>
/// <param name="SmallInput">
/// Stem for small images: a 3x3 stride-1 convolution and no max-pool (CIFAR-style) instead of 7x7 stride 2 + max-pool.
/// </param>
public sealed record ResNetSpec(bool Bottleneck, int[] Layers, int[] Widths, bool SmallInput)
{
    /// <summary>Stem output channels.</summary>
    public int StemWidth => Widths[0];
}
