using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace AutoTimm.Models.Architectures;

/// <summary>
/// ResNet with torchvision's parameter names (<c>conv1</c>, <c>bn1</c>, <c>layer1..4</c>, <c>fc</c>), so torchvision
/// and timm ResNet state_dicts load by name. Stages are called through hooks-aware <c>call</c>, and no activation
/// is disposed inside forward, so hooks may keep what they capture.
/// </summary>
public sealed class ResNet : ImageClassifier
{
    private readonly nn.Module<Tensor, Tensor> _conv1, _bn1, _fc;
    private readonly nn.Module<Tensor, Tensor>[] _stages;

    /// <summary>Creates a ResNet of the given shape.</summary>
    public ResNet(ResNetSpec spec, ModelConfig config) : base(nameof(ResNet), config)
    {
        ArgumentNullException.ThrowIfNull(spec);
        Spec = spec;
        _conv1 = spec.SmallInput
            ? nn.Conv2d(3, spec.StemWidth, kernel_size: 3, stride: 1, padding: 1, bias: false)
            : nn.Conv2d(3, spec.StemWidth, kernel_size: 7, stride: 2, padding: 3, bias: false);
        _bn1 = nn.BatchNorm2d(spec.StemWidth);
        register_module("conv1", _conv1);
        register_module("bn1", _bn1);

        int channels = spec.StemWidth;
        _stages = new nn.Module<Tensor, Tensor>[4];
        for (int s = 0; s < 4; s++)
        {
            var blocks = new List<(string, nn.Module<Tensor, Tensor>)>();
            for (int b = 0; b < spec.Layers[s]; b++)
            {
                int stride = b == 0 && s > 0 ? 2 : 1;
                ResidualBlock block = spec.Bottleneck
                    ? new Bottleneck(channels, spec.Widths[s], stride)
                    : new BasicBlock(channels, spec.Widths[s], stride);
                channels = block.OutChannels;
                blocks.Add((b.ToString(System.Globalization.CultureInfo.InvariantCulture), block));
            }
            _stages[s] = nn.Sequential(blocks);
            register_module($"layer{s + 1}", _stages[s]);
        }
        FeatureDim = channels;
        _fc = nn.Linear(channels, config.NumClasses);
        register_module("fc", _fc);
        Initialize();
    }

    /// <summary>Shape of this ResNet.</summary>
    public ResNetSpec Spec { get; }

    /// <summary>Channels of the pooled features fed to <c>fc</c>.</summary>
    public int FeatureDim { get; }

    /// <inheritdoc/>
    public override string DefaultTargetLayer => "layer4";

    /// <inheritdoc/>
    public override string ClassifierName => "fc";

    /// <inheritdoc/>
    public override Tensor forward(Tensor input) => _fc.call(ForwardFeatures(input));

    /// <inheritdoc/>
    public override Tensor ForwardFeatures(Tensor input)
    {
        CheckShape(input);
        var x = F.relu(_bn1.call(_conv1.call(ChannelsLast.Of(input))));
        if (!Spec.SmallInput) x = F.max_pool2d(x, kernel_size: 3, stride: 2, padding: 1);
        foreach (var stage in _stages)
            x = stage.call(x);
        return F.adaptive_avg_pool2d(x, 1).flatten(1);
    }

    /// <summary>torchvision's initialisation: Kaiming-normal (fan_out) convolutions, BatchNorm 1/0.</summary>
    private void Initialize()
    {
        using var _ = no_grad();
        foreach (var (_, module) in named_modules())
        {
            switch (module)
            {
                case TorchSharp.Modules.Conv2d conv:
                    nn.init.kaiming_normal_(conv.weight, mode: nn.init.FanInOut.FanOut, nonlinearity: nn.init.NonlinearityType.ReLU);
                    break;
                case TorchSharp.Modules.BatchNorm2d bn:
                    nn.init.ones_(bn.weight);
                    nn.init.zeros_(bn.bias);
                    break;
            }
        }
    }
}
