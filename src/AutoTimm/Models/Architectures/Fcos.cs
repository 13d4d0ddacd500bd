using TorchSharp;
using static TorchSharp.torch;

namespace AutoTimm.Models.Architectures;

/// <summary>
/// FCOS with torchvision's parameter names (<c>backbone.body.*</c>, <c>backbone.fpn.*</c>, <c>head.classification_head.*</c>,
/// <c>head.regression_head.*</c>), so a <c>fcos_resnet50_fpn</c> state_dict loads by name. The forward takes normalized
/// inputs (torchvision's transform normalizes inside the model; resizing is the caller's preprocessing) and returns
/// dense predictions with each location's geometry (<see cref="DenseDetectionLayout"/>).
/// </summary>
public sealed class Fcos : ObjectDetector
{
    private readonly BackboneWithFpn _backbone;
    private readonly FcosHead _head;

    /// <summary>Creates the detector.</summary>
    public Fcos(FcosSpec spec, ModelConfig config) : base(nameof(Fcos), config)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        Spec = spec;
        var body = new ResNetBody(spec.Backbone, spec.ReturnedStages);
        var fpn = new FeaturePyramidNetwork(body.ReturnedChannels, spec.PyramidChannels, extraP6P7: true);
        _backbone = new BackboneWithFpn(body, fpn);
        _head = new FcosHead(spec.PyramidChannels, config.NumClasses, spec.HeadConvs);
        register_module("backbone", _backbone);
        register_module("head", _head);
    }

    /// <summary>Shape of this detector.</summary>
    public FcosSpec Spec { get; }

    /// <inheritdoc/>
    public override int LevelCount => Spec.AnchorSizes.Length;

    /// <inheritdoc/>
    public override string LevelLayer(int level)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(level);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(level, LevelCount);
        return $"backbone.fpn.{_backbone.Fpn.LevelModuleName(level)}";
    }

    /// <inheritdoc/>
    private protected override bool ChannelsLastConvolutions => true;

    /// <summary>The last backbone stage: every level depends on it, so one explanation forward serves every detection.</summary>
    public override string DefaultTargetLayer => $"backbone.body.layer{Spec.ReturnedStages[^1]}";

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        CheckShape(input);
        var levels = _backbone.Forward(input);
        var predictions = _head.Forward(levels);
        var geometry = Geometry(levels, (int)input.shape[2], (int)input.shape[3], predictions.dtype, predictions.device);
        return cat([predictions, geometry.unsqueeze(0).expand(predictions.shape[0], -1, -1)], 2);
    }

    /// <summary>
    /// Each location's center x, center y, anchor size, level and the input width and height <c>[locations, 6]</c>.
    /// Centers are torchvision's anchor centers: the level stride (input size // level size) times the cell index.
    /// </summary>
    private Tensor Geometry(Tensor[] levels, int height, int width, ScalarType dtype, Device device)
    {
        int total = levels.Sum(l => (int)(l.shape[2] * l.shape[3]));
        var values = new float[total * 6];
        int row = 0;
        for (int level = 0; level < levels.Length; level++)
        {
            int h = (int)levels[level].shape[2], w = (int)levels[level].shape[3];
            int strideY = height / h, strideX = width / w;
            // AnchorGenerator's base anchor is round([-s/2, s/2]) (half to even); its center and width follow.
            double size = Spec.AnchorSizes[level], lo = Math.Round(-size / 2), hi = Math.Round(size / 2);
            float offset = (float)((lo + hi) / 2), anchor = (float)(hi - lo);
            for (int y = 0; y < h; y++)
            {
                for (int x = 0; x < w; x++, row++)
                {
                    var o = row * 6;
                    values[o] = x * strideX + offset;
                    values[o + 1] = y * strideY + offset;
                    values[o + 2] = anchor;
                    values[o + 3] = level;
                    values[o + 4] = width;
                    values[o + 5] = height;
                }
            }
        }
        return tensor(values, [total, 6]).to(dtype, device);
    }
}
