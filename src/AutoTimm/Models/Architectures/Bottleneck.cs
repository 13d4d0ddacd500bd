using AutoTimm.Native;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace AutoTimm.Models.Architectures;

/// <summary>torchvision's Bottleneck (ResNet v1.5: stride on the 3x3 conv), expansion 4.</summary>
public sealed class Bottleneck : ResidualBlock
{
    /// <summary>Channel expansion of the last 1x1 convolution.</summary>
    public const int Expansion = 4;

    private readonly nn.Module<Tensor, Tensor> _conv1, _bn1, _conv2, _bn2, _conv3, _bn3;
    private readonly nn.Module<Tensor, Tensor>? _downsample;

    /// <summary>Creates the block.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="planes">Width of the 3x3 convolution; the block outputs <c>planes * 4</c> channels.</param>
    /// <param name="stride">Stride of the 3x3 convolution and the shortcut.</param>
    /// <param name="dilation">Dilation (and padding) of the 3x3 convolution, as torchvision's <c>replace_stride_with_dilation</c> sets it.</param>
    public Bottleneck(int inChannels, int planes, int stride, int dilation = 1) : base(nameof(Bottleneck))
    {
        OutChannels = planes * Expansion;
        _conv1 = nn.Conv2d(inChannels, planes, kernel_size: 1, bias: false);
        _bn1 = nn.BatchNorm2d(planes);
        _conv2 = nn.Conv2d(planes, planes, kernel_size: 3, stride: stride, padding: dilation, dilation: dilation, bias: false);
        _bn2 = nn.BatchNorm2d(planes);
        _conv3 = nn.Conv2d(planes, OutChannels, kernel_size: 1, bias: false);
        _bn3 = nn.BatchNorm2d(OutChannels);
        _downsample = Shortcut(inChannels, OutChannels, stride);
        register_module("conv1", _conv1);
        register_module("bn1", _bn1);
        register_module("conv2", _conv2);
        register_module("bn2", _bn2);
        register_module("conv3", _conv3);
        register_module("bn3", _bn3);
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
        y = F.relu(ConvBatchNorm.Forward(_conv2, _bn2, y));
        y = ConvBatchNorm.Forward(_conv3, _bn3, y);
        var identity = ApplyShortcut(_downsample, x);
        return F.relu(y.add(identity, Scalars.One));
    }
}
