using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace AutoTimm.Models.Architectures;

/// <summary>
/// torchvision's <c>FCN</c> / <c>DeepLabV3</c> on a ResNet (<c>backbone.*</c> with the ResNet's names,
/// <c>classifier.*</c>), so <c>fcn_resnet50</c> and <c>deeplabv3_resnet50</c> state_dicts load by name. Logits are
/// upsampled bilinearly (align_corners=false) to the input size. No auxiliary classifier (torchvision builds one only
/// for pretrained weights).
/// </summary>
public sealed class SegmentationNet : SemanticSegmentor
{
    private readonly ResNetBody _backbone;
    private readonly nn.Module<Tensor, Tensor> _classifier;

    /// <summary>Creates the segmenter.</summary>
    public SegmentationNet(SegmentationSpec spec, ModelConfig config) : base(nameof(SegmentationNet), config)
    {
        ArgumentNullException.ThrowIfNull(spec);
        Spec = spec;
        _backbone = new ResNetBody(spec.Backbone, [4]);
        int channels = spec.Backbone.StageChannels[3], k = config.NumClasses;
        _classifier = spec.Head switch
        {
            SegmentationHead.Fcn => nn.Sequential(
                ("0", nn.Conv2d(channels, channels / 4, 3, padding: 1, bias: false)),
                ("1", nn.BatchNorm2d(channels / 4)),
                ("2", nn.ReLU()),
                ("3", nn.Dropout(0.1)),
                ("4", nn.Conv2d(channels / 4, k, 1))),
            SegmentationHead.DeepLabV3 => nn.Sequential(
                ("0", new Aspp(channels, spec.AtrousRates, spec.AsppChannels)),
                ("1", nn.Conv2d(spec.AsppChannels, spec.AsppChannels, 3, padding: 1, bias: false)),
                ("2", nn.BatchNorm2d(spec.AsppChannels)),
                ("3", nn.ReLU()),
                ("4", nn.Conv2d(spec.AsppChannels, k, 1))),
            _ => throw new ArgumentOutOfRangeException(nameof(spec), spec.Head, "unknown segmentation head"),
        };
        register_module("backbone", _backbone);
        register_module("classifier", _classifier);
    }

    /// <summary>Shape of this segmenter.</summary>
    public SegmentationSpec Spec { get; }

    /// <inheritdoc/>
    private protected override bool ChannelsLastConvolutions => true;

    /// <inheritdoc/>
    public override string DefaultTargetLayer => "backbone.layer4";

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        CheckShape(input);
        var features = _backbone.Features(input)[0];
        var logits = _classifier.call(features);
        return F.interpolate(logits, size: [input.shape[2], input.shape[3]], mode: InterpolationMode.Bilinear, align_corners: false);
    }
}
