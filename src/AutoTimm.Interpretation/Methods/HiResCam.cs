using AutoTimm.Interpretation.Engine;
using AutoTimm.Models;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Methods;

/// <summary>
/// HiResCAM (Draelos &amp; Carin 2020): the map is the channel sum of gradients times activations, element by element,
/// so each location keeps its own gradient instead of a channel average. Where the gradient is constant over the
/// layer's positions (a layer feeding global average pooling and a linear head) it equals Grad-CAM.
/// </summary>
public sealed class HiResCam : CamExplainer
{
    /// <summary>Creates HiResCAM on a layer by dotted name, or the model's default.</summary>
    /// <param name="model">Model to explain.</param>
    /// <param name="targetLayer">Dotted layer name; null picks the last spatial feature layer.</param>
    /// <param name="reshape">Turns a token layer's output into <c>[N,C,h,w]</c>; defaults to the model's token layout.</param>
    public HiResCam(VisionModel model, string? targetLayer = null, Func<Tensor, Tensor>? reshape = null)
        : base(model, targetLayer, reshape) { }

    /// <inheritdoc/>
    public override string Method => "hirescam";

    /// <inheritdoc/>
    protected override Tensor CamMap(Tensor activations, Tensor gradients) => (gradients * activations).sum(1);

    /// <summary>The registry's entry.</summary>
    public static MethodDescriptor Descriptor { get; } = new("hirescam", "HiResCAM", typeof(CamOptions),
        (model, options) => new HiResCam(model, options.Get<CamOptions>().TargetLayer))
    {
        RunsByDefault = false,
        Summary = "channel sum of gradients times activations, element by element",
    };
}
