using AutoTimm.Interpretation.Engine;
using AutoTimm.Models;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Methods;

/// <summary>
/// Grad-CAM (Selvaraju et al. 2017): channel weights are the spatially averaged gradients of the target score with
/// respect to the layer's activations.
/// </summary>
public sealed class GradCam : CamExplainer
{
    /// <summary>Creates Grad-CAM on a layer by dotted name (<c>layer4</c>, <c>backbone.layer3.2.conv2</c>), or the model's default.</summary>
    /// <param name="model">Model to explain.</param>
    /// <param name="targetLayer">Dotted layer name; null picks the last spatial feature layer.</param>
    /// <param name="reshape">Turns a token layer's output into <c>[N,C,h,w]</c>; defaults to the model's token layout.</param>
    public GradCam(VisionModel model, string? targetLayer = null, Func<Tensor, Tensor>? reshape = null)
        : base(model, targetLayer, reshape) { }

    /// <summary>Creates Grad-CAM on a layer given by reference.</summary>
    public GradCam(VisionModel model, nn.Module targetLayer, Func<Tensor, Tensor>? reshape = null)
        : base(model, targetLayer, reshape) { }

    /// <inheritdoc/>
    public override string Method => "gradcam";

    /// <inheritdoc/>
    protected override Tensor ChannelWeights(Tensor activations, Tensor gradients) => gradients.mean([2, 3]);

    /// <summary>The registry's entry.</summary>
    public static MethodDescriptor Descriptor { get; } = new("gradcam", "Grad-CAM", typeof(CamOptions),
        (model, options) => new GradCam(model, options.Get<CamOptions>().TargetLayer))
    {
        Summary = "channel weights: spatially averaged gradients of the target score",
    };
}
