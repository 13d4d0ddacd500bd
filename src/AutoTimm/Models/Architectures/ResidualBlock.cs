using TorchSharp;
using static TorchSharp.torch;

namespace AutoTimm.Models.Architectures;

/// <summary>A ResNet residual block: the common base of <see cref="BasicBlock"/> and <see cref="Bottleneck"/>.</summary>
public abstract class ResidualBlock : nn.Module<Tensor, Tensor>
{
    /// <summary>
    /// Children are registered explicitly under their PyTorch names; TorchSharp's reflection-based registration
    /// would add the private fields a second time under their C# names.
    /// </summary>
    protected override void RegisterComponents() { }

    /// <summary>Creates the block.</summary>
    protected ResidualBlock(string name) : base(name) { }

    /// <summary>Output channels of the block.</summary>
    public abstract int OutChannels { get; }

    /// <summary>
    /// The shortcut projection (<c>downsample.0</c> conv 1x1 + <c>downsample.1</c> BatchNorm), as in torchvision,
    /// or null when the identity suffices.
    /// </summary>
    protected static nn.Module<Tensor, Tensor>? Shortcut(int inChannels, int outChannels, int stride)
    {
        if (stride == 1 && inChannels == outChannels) return null;
        return nn.Sequential(
            ("0", nn.Conv2d(inChannels, outChannels, kernel_size: 1, stride: stride, bias: false)),
            ("1", nn.BatchNorm2d(outChannels)));
    }

    /// <summary>The shortcut of <paramref name="x"/>: <paramref name="x"/> itself, or its projection through <paramref name="shortcut"/>.</summary>
    private protected static Tensor ApplyShortcut(nn.Module<Tensor, Tensor>? shortcut, Tensor x)
    {
        if (shortcut is null) return x;
        if (shortcut is TorchSharp.Modules.Sequential { Count: 2 } projection && !ModuleHooks.Any(projection)
            && projection[0] is nn.Module<Tensor, Tensor> conv && projection[1] is nn.Module<Tensor, Tensor> norm)
            return ConvBatchNorm.Forward(conv, norm, x);
        return shortcut.call(x);
    }
}
