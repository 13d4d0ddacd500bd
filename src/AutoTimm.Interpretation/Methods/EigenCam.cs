using AutoTimm.Interpretation.Engine;
using AutoTimm.Interpretation.Targets;
using AutoTimm.Models;
using static TorchSharp.torch;
using AutoTimm.Native;

namespace AutoTimm.Interpretation.Methods;

/// <summary>
/// EigenCAM (Muhammad and Yeasin 2020): the projection of the layer's activations onto their first principal
/// component. Gradient-free and class-agnostic (every target of an image gets the same map), which makes it robust on
/// detectors, where pytorch-grad-cam recommends it.
/// </summary>
/// <remarks>
/// Per image, activations <c>[C, h*w]</c> are read as <c>h*w</c> samples of <c>C</c> channels, centred over the
/// samples, and projected on the first right singular vector, as pytorch-grad-cam's <c>get_2d_projection</c>. An SVD's
/// sign is arbitrary; here it is chosen so that the map correlates positively with the channel-summed activation (the
/// direction in which the layer responds), so the ReLU keeps the responding region rather than its complement.
/// </remarks>
public sealed class EigenCam : CamExplainer
{
    /// <summary>Creates EigenCAM on a layer by dotted name, or the model's default.</summary>
    public EigenCam(VisionModel model, string? targetLayer = null, Func<Tensor, Tensor>? reshape = null)
        : base(model, targetLayer, reshape) { }

    /// <inheritdoc/>
    public override string Method => "eigencam";

    /// <inheritdoc/>
    public override RawExplanation Compute(ExplanationSession session, Tensor inputs, IReadOnlyList<IExplanationTarget?> targets)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(inputs);
        var (output, activation, resolved) = session.ActivationsAt(inputs, TargetLayer, targets);
        return ToRaw(Projection(Spatial(activation)), inputs, output, resolved);
    }

    /// <summary>First-principal-component projection <c>[N,h,w]</c> of activations <c>[N,C,h,w]</c>, before ReLU.</summary>
    public static Tensor Projection(Tensor activations)
    {
        ArgumentNullException.ThrowIfNull(activations);
        long n = activations.shape[0], c = activations.shape[1], h = activations.shape[2], w = activations.shape[3];
        var samples = activations.to(ScalarType.Float32).reshape(n, c, h * w).transpose(1, 2);   // [N, hw, C]
        var centred = samples - samples.mean([1L], keepdim: true);
        var (_, _, vh) = linalg.svd(centred, fullMatrices: false);
        var projection = centred.matmul(vh.select(1, 0).unsqueeze(2)).squeeze(2);                  // [N, hw]
        var response = samples.sum(2);
        var agreement = ((projection - projection.mean([1L], keepdim: true)) * (response - response.mean([1L], keepdim: true))).sum(1, keepdim: true);
        var sign = where(agreement.lt(Scalars.Of(0)), -ones_like(agreement), ones_like(agreement));
        return (projection * sign).reshape(n, h, w);
    }

    /// <summary>The registry's entry.</summary>
    public static MethodDescriptor Descriptor { get; } = new("eigencam", "EigenCAM", typeof(CamOptions),
        (model, options) => new EigenCam(model, options.Get<CamOptions>().TargetLayer))
    {
        Summary = "first principal component of the layer's activations; gradient-free and class-agnostic (suits detectors)",
        RunsByDefault = false,
    };
}
