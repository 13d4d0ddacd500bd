using AutoTimm.Interpretation.Engine;
using AutoTimm.Models;
using AutoTimm.Native;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Methods;

/// <summary>
/// Grad-CAM++ (Chattopadhay et al. 2018): channel weights are positive gradients weighted per pixel by
/// alpha = g^2 / (2 g^2 + sum(A) g^3), the closed form for an exponential score, which credits every occurrence
/// of an object rather than the dominant one.
/// </summary>
public sealed class GradCamPlusPlus : CamExplainer
{
    /// <summary>Creates Grad-CAM++ on a layer by dotted name, or the model's default.</summary>
    /// <param name="model">Model to explain.</param>
    /// <param name="targetLayer">Dotted layer name; null picks the last spatial feature layer.</param>
    /// <param name="reshape">Turns a token layer's output into <c>[N,C,h,w]</c>; defaults to the model's token layout.</param>
    public GradCamPlusPlus(VisionModel model, string? targetLayer = null, Func<Tensor, Tensor>? reshape = null)
        : base(model, targetLayer, reshape) { }

    /// <summary>Creates Grad-CAM++ on a layer given by reference.</summary>
    public GradCamPlusPlus(VisionModel model, nn.Module targetLayer, Func<Tensor, Tensor>? reshape = null)
        : base(model, targetLayer, reshape) { }

    /// <inheritdoc/>
    public override string Method => "gradcampp";

    /// <inheritdoc/>
    protected override Tensor ChannelWeights(Tensor activations, Tensor gradients)
    {
        // Scalars are kept ones (Native.Scalars): a temporary one can be finalized by another thread's collection
        // while libtorch reads it.
        var g2 = gradients.pow(Scalars.Of(2));
        var g3 = g2 * gradients;
        var activationSum = activations.sum([2, 3], keepdim: true);
        var denominator = g2.mul(Scalars.Of(2)).add(activationSum * g3, Scalars.One);
        var alpha = g2 / denominator.add(Scalars.Of(1e-6), Scalars.One);
        alpha = where(gradients.ne(Scalars.Of(0)), alpha, zeros_like(alpha));
        return (alpha * gradients.clamp_min(Scalars.Of(0))).sum([2, 3]);
    }

    /// <summary>The registry's entry.</summary>
    public static MethodDescriptor Descriptor { get; } = new("gradcampp", "Grad-CAM++", typeof(CamOptions),
        (model, options) => new GradCamPlusPlus(model, options.Get<CamOptions>().TargetLayer))
    {
        Aliases = ["gradcam++", "gradcam_plus_plus", "gradcamplusplus"],
        Summary = "channel weights: positive gradients weighted per pixel by the closed-form alpha",
    };
}
