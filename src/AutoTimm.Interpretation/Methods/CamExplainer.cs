using AutoTimm.Interpretation.Targets;
using AutoTimm.Models;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace AutoTimm.Interpretation.Methods;

/// <summary>
/// Base of class activation maps. One forward pass with a hook on the target layer, then the gradient of the
/// targets' scores with respect to that layer's output only (<c>autograd.grad</c>: no parameter gradients, no full
/// backward). A CAM variant overrides <see cref="ChannelWeights"/>, or <see cref="CamMap"/> for methods that combine
/// activations differently. Maps are ReLU'd at layer resolution and upsampled bilinearly (align_corners=false).
/// </summary>
public abstract class CamExplainer : Explainer
{
    private readonly nn.Module<Tensor, Tensor> _layer;
    private readonly Func<Tensor, Tensor>? _reshape;

    /// <summary>Creates the explainer on a layer given by dotted name (null: the model's default target layer).</summary>
    protected CamExplainer(VisionModel model, string? targetLayer, Func<Tensor, Tensor>? reshape)
        : base(model)
    {
        (_layer, TargetLayer) = LayerSelector.Resolve(model, targetLayer, null);
        _reshape = reshape ?? SpatialActivation.DefaultReshape(model);
    }

    /// <summary>Creates the explainer on a layer given by reference.</summary>
    protected CamExplainer(VisionModel model, nn.Module targetLayer, Func<Tensor, Tensor>? reshape)
        : base(model)
    {
        ArgumentNullException.ThrowIfNull(targetLayer);
        (_layer, TargetLayer) = LayerSelector.Resolve(model, null, targetLayer);
        _reshape = reshape ?? SpatialActivation.DefaultReshape(model);
    }

    /// <summary>Dotted name of the layer the maps come from.</summary>
    public string TargetLayer { get; }

    /// <summary>Per-channel weights <c>[N,C]</c> from activations and gradients <c>[N,C,h,w]</c>.</summary>
    protected abstract Tensor ChannelWeights(Tensor activations, Tensor gradients);

    /// <summary>The map <c>[N,h,w]</c> before ReLU: by default the channel-weighted sum of activations.</summary>
    protected virtual Tensor CamMap(Tensor activations, Tensor gradients) =>
        (ChannelWeights(activations, gradients).unsqueeze(-1).unsqueeze(-1) * activations).sum(1);

    internal override RawExplanation Compute(Tensor inputs, IReadOnlyList<IExplanationTarget?> targets) =>
        ComputeShared([this], inputs, targets)[0];

    /// <summary>
    /// Maps of several CAM variants on the same layer from one forward pass and one gradient computation (what
    /// comparing Grad-CAM with Grad-CAM++ needs).
    /// </summary>
    internal static RawExplanation[] ComputeShared(IReadOnlyList<CamExplainer> variants, Tensor inputs, IReadOnlyList<IExplanationTarget?> targets)
    {
        var first = variants[0];
        if (variants.Any(v => v.TargetLayer != first.TargetLayer || !ReferenceEquals(v.Model, first.Model)))
            throw new ArgumentException("shared CAM computation needs variants on the same model and layer");
        using var capture = new ActivationCapture(first._layer, first.TargetLayer);
        using var gradMode = enable_grad();
        // The input requires grad so the hooked activation does even when every parameter is frozen.
        var x = inputs.detach().requires_grad_(true);
        var logits = first.Model.call(x);
        var resolved = ResolveTargets(targets, logits);
        var activation = capture.Require();
        if (!activation.requires_grad)
            throw new InvalidOperationException($"layer '{first.TargetLayer}' output does not depend differentiably on the input; choose another layer");
        var score = SumScores(logits, resolved);
        GradientGuard.Check(score, "the target score");
        var gradient = torch.autograd.grad([score], [activation])[0];
        var spatialActivation = SpatialActivation.ToSpatial(activation.detach(), first._reshape, first.TargetLayer);
        var spatialGradient = SpatialActivation.ToSpatial(gradient, first._reshape, first.TargetLayer);
        return variants.Select(variant =>
        {
            var cam = F.relu(variant.CamMap(spatialActivation, spatialGradient));
            int h = (int)cam.shape[1], w = (int)cam.shape[2];
            var maps = F.interpolate(cam.unsqueeze(1), size: [inputs.shape[2], inputs.shape[3]], mode: InterpolationMode.Bilinear, align_corners: false)
                .squeeze(1);
            return new RawExplanation(maps, logits.detach(), ClassesOf(resolved)) { NativeResolution = (h, w), Layer = variant.TargetLayer };
        }).ToArray();
    }
}
