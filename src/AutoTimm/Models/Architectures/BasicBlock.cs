using AutoTimm.Native;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace AutoTimm.Models.Architectures;

/// <summary>torchvision's BasicBlock: two 3x3 convolutions with BatchNorm, ReLU and a residual shortcut.</summary>
public sealed class BasicBlock : ResidualBlock
{
    private readonly nn.Module<Tensor, Tensor> _conv1, _bn1, _conv2, _bn2;
    private readonly nn.Module<Tensor, Tensor>? _downsample;

    /// <summary>Creates the block.</summary>
    public BasicBlock(int inChannels, int planes, int stride) : base(nameof(BasicBlock))
    {
        OutChannels = planes;
        _conv1 = nn.Conv2d(inChannels, planes, kernel_size: 3, stride: stride, padding: 1, bias: false);
        _bn1 = nn.BatchNorm2d(planes);
        _conv2 = nn.Conv2d(planes, planes, kernel_size: 3, stride: 1, padding: 1, bias: false);
        _bn2 = nn.BatchNorm2d(planes);
        _downsample = Shortcut(inChannels, planes, stride);
        register_module("conv1", _conv1);
        register_module("bn1", _bn1);
        register_module("conv2", _conv2);
        register_module("bn2", _bn2);
        if (_downsample is not null) register_module("downsample", _downsample);
    }

    /// <inheritdoc/>
    public override int OutChannels { get; }

    /// <summary>
    /// No dispose scope here: intermediates belong to the caller's scope, so activations captured by hooks on
    /// inner layers stay valid until the caller's explanation or training step ends.
    /// </summary>
    public override Tensor forward(Tensor x)
    {
        var y = F.relu(ConvBatchNorm.Forward(_conv1, _bn1, x));
        y = ConvBatchNorm.Forward(_conv2, _bn2, y);
        var identity = ApplyShortcut(_downsample, x);
        return F.relu(y.add(identity, Scalars.One));
    }
}
