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
    private readonly ResNetLayers _layers;
    private readonly nn.Module<Tensor, Tensor> _fc;

    /// <summary>Creates a ResNet of the given shape.</summary>
    public ResNet(ResNetSpec spec, ModelConfig config) : base(nameof(ResNet), config)
    {
        ArgumentNullException.ThrowIfNull(spec);
        Spec = spec;
        _layers = new ResNetLayers(spec);
        _layers.RegisterOn(register_module);
        FeatureDim = _layers.OutChannels;
        _fc = nn.Linear(FeatureDim, config.NumClasses);
        register_module("fc", _fc);
        ResNetLayers.Initialize(this);
    }

    /// <summary>Shape of this ResNet.</summary>
    public ResNetSpec Spec { get; }

    /// <summary>Channels of the pooled features fed to <c>fc</c>.</summary>
    public int FeatureDim { get; }

    /// <inheritdoc/>
    private protected override bool ChannelsLastConvolutions => true;

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
        return F.adaptive_avg_pool2d(_layers.Forward(input), 1).flatten(1);
    }
}
