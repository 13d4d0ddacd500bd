using AutoTimm.Interpretation.Engine;
using AutoTimm.Models;
using AutoTimm.Native;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Methods;

/// <summary>
/// XGradCAM (Fu et al. 2020): channel weights are the gradients averaged with the activations as weights,
/// <c>sum_hw(g * A / (sum_hw A + 1e-7))</c>, the choice that satisfies the sensitivity and conservation axioms for
/// ReLU networks.
/// </summary>
public sealed class XGradCam : CamExplainer
{
    /// <summary>Creates XGradCAM on a layer by dotted name, or the model's default.</summary>
    /// <param name="model">Model to explain.</param>
    /// <param name="targetLayer">Dotted layer name; null picks the last spatial feature layer.</param>
    /// <param name="reshape">Turns a token layer's output into <c>[N,C,h,w]</c>; defaults to the model's token layout.</param>
    public XGradCam(VisionModel model, string? targetLayer = null, Func<Tensor, Tensor>? reshape = null)
        : base(model, targetLayer, reshape) { }

    /// <inheritdoc/>
    public override string Method => "xgradcam";

    /// <inheritdoc/>
    protected override Tensor ChannelWeights(Tensor activations, Tensor gradients) =>
        (gradients * activations / activations.sum([2, 3], keepdim: true).add(Scalars.Of(1e-7), Scalars.One)).sum([2, 3]);

    /// <summary>The registry's entry.</summary>
    public static MethodDescriptor Descriptor { get; } = new("xgradcam", "XGradCAM", typeof(CamOptions),
        (model, options) => new XGradCam(model, options.Get<CamOptions>().TargetLayer))
    {
        RunsByDefault = false,
        Summary = "channel weights: gradients averaged with the activations as weights",
    };
}
