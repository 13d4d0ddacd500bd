using AutoTimm.Interpretation.Engine;
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
/// The activations and gradients come from the session, so every CAM of one layer in one call shares them.
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
        // The layer is all a CAM reads besides the model; a custom reshape is code the cache cannot key.
        if (reshape is null) Configuration = $"{GetType().FullName}|layer={TargetLayer}";
    }

    /// <summary>Creates the explainer on a layer given by reference.</summary>
    protected CamExplainer(VisionModel model, nn.Module targetLayer, Func<Tensor, Tensor>? reshape)
        : base(model)
    {
        ArgumentNullException.ThrowIfNull(targetLayer);
        (_layer, TargetLayer) = LayerSelector.Resolve(model, null, targetLayer);
        _reshape = reshape ?? SpatialActivation.DefaultReshape(model);
    }

    internal override bool OnePassPerRow => true;

    /// <summary>Dotted name of the layer the maps come from.</summary>
    public string TargetLayer { get; }

    /// <summary>Per-channel weights <c>[N,C]</c> from activations and gradients <c>[N,C,h,w]</c>.</summary>
    protected virtual Tensor ChannelWeights(Tensor activations, Tensor gradients) =>
        throw new InvalidOperationException($"{GetType().Name} must override ChannelWeights or CamMap");

    /// <summary>The map <c>[N,h,w]</c> before ReLU: by default the channel-weighted sum of activations.</summary>
    protected virtual Tensor CamMap(Tensor activations, Tensor gradients) =>
        (ChannelWeights(activations, gradients).unsqueeze(-1).unsqueeze(-1) * activations).sum(1);

    /// <inheritdoc/>
    public override RawExplanation Compute(ExplanationSession session, Tensor inputs, IReadOnlyList<IExplanationTarget?> targets)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(inputs);
        // Shared with every other CAM of this layer in the same session: one forward, one partial backward.
        var layer = session.GradientsAt(inputs, TargetLayer, targets);
        var activation = Spatial(layer.Activation);
        var gradient = Spatial(layer.Gradient);
        return ToRaw(CamMap(activation, gradient), inputs, layer.Output, layer.Targets);
    }

    /// <summary>A layer output as a spatial map <c>[N,C,h,w]</c> (tokens reshaped to the grid).</summary>
    protected Tensor Spatial(Tensor layerOutput) => SpatialActivation.ToSpatial(layerOutput, _reshape, TargetLayer);

    /// <summary>The raw explanation of a map <c>[N,h,w]</c> before ReLU: ReLU'd, upsampled to the input size.</summary>
    protected RawExplanation ToRaw(Tensor map, Tensor inputs, Tensor output, IReadOnlyList<IExplanationTarget> targets)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(inputs);
        var cam = F.relu(map);
        int h = (int)cam.shape[1], w = (int)cam.shape[2];
        var maps = MapUpsampling.Bilinear(cam, inputs.shape[2], inputs.shape[3]);
        return new RawExplanation(maps, output, targets) { NativeResolution = (h, w), Layer = TargetLayer };
    }
}
