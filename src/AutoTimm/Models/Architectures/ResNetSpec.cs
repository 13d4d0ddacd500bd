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

    /// <summary>
    /// torchvision's <c>replace_stride_with_dilation</c> for stages 2, 3 and 4: a stage marked true keeps its input
    /// resolution and dilates its 3x3 convolutions instead of striding (segmentation backbones: false, true, true).
    /// Bottleneck blocks only, as in torchvision.
    /// </summary>
    public bool[] ReplaceStrideWithDilation { get; init; } = [false, false, false];

    /// <summary>Output channels of each stage.</summary>
    public int[] StageChannels => Widths.Select(w => Bottleneck ? w * Architectures.Bottleneck.Expansion : w).ToArray();

    /// <summary>Total stride of each stage's output relative to the input.</summary>
    public int[] StageStrides
    {
        get
        {
            var strides = new int[4];
            int stride = SmallInput ? 1 : 4;
            for (int s = 0; s < 4; s++)
            {
                if (s > 0 && !ReplaceStrideWithDilation[s - 1]) stride *= 2;
                strides[s] = stride;
            }
            return strides;
        }
    }
}
