using AutoTimm.Interpretation.Engine;
using AutoTimm.Interpretation.Targets;
using AutoTimm.Models;
using TorchSharp;
using static TorchSharp.torch;
using AutoTimm.Native;

namespace AutoTimm.Interpretation.Methods;

/// <summary>
/// Class-specific transformer attribution (Chefer, Gur &amp; Wolf 2021, "Generic Attention-model Explainability"):
/// each block's attention is weighted by the gradient of the target score with respect to it, positive parts are
/// averaged over heads, and relevance is propagated with <c>R = R + mean_h(relu(dS/dA * A)) R</c> from the identity.
/// Unlike rollout, the map depends on the class explained.
/// </summary>
public sealed class TransformerAttribution : AttentionExplainer
{
    /// <summary>Creates the explainer.</summary>
    /// <param name="model">A Vision Transformer.</param>
    /// <param name="targetToken">Output token explained (0: class token).</param>
    public TransformerAttribution(VisionModel model, int targetToken = 0) : base(model, targetToken) { }

    /// <inheritdoc/>
    public override string Method => "transformer_attribution";

    internal override bool OnePassPerRow => true;

    /// <inheritdoc/>
    public override RawExplanation Compute(ExplanationSession session, Tensor inputs, IReadOnlyList<IExplanationTarget?> targets)
    {
        ArgumentNullException.ThrowIfNull(session);
        using var gradMode = enable_grad();
        var (output, attention) = session.ForwardWithAttention(inputs, withGradients: true);
        var resolved = session.ResolveTargets(output, targets);
        var score = ExplanationSession.SumScores(output, resolved);
        var gradients = GradientGuard.Grad(score, attention, "the target score");
        long n = inputs.shape[0], t = attention[0].shape[^1];
        var relevance = eye(t, dtype: inputs.dtype, device: inputs.device).expand(n, t, t).clone();
        for (int b = 0; b < attention.Length; b++)
        {
            var weighted = (gradients[b] * attention[b].detach()).clamp_min(Scalars.Of(0)).mean([1]);
            relevance = relevance.add(weighted.matmul(relevance), Scalars.One);
        }
        return ToMaps(relevance.select(1, TargetToken), inputs, output.detach(), resolved);
    }

    /// <summary>The registry's entry.</summary>
    public static MethodDescriptor Descriptor { get; } = new("transformer_attribution", "Transformer Attribution", typeof(TransformerAttributionOptions),
        (model, options) => new TransformerAttribution(model, options.Get<TransformerAttributionOptions>().TargetToken))
    {
        NotApplicableBecause = ExplanationSession.AttentionUnavailable,
        RunsByDefault = false,
        Summary = "attention weighted by its gradient, propagated through the blocks (class-specific)",
    };
}

/// <summary>Options of <see cref="TransformerAttribution"/>.</summary>
public sealed record TransformerAttributionOptions : IMethodOptions
{
    /// <summary>Output token explained (0: the class token).</summary>
    public int TargetToken { get; init; }

    /// <inheritdoc/>
    public void Validate() => ArgumentOutOfRangeException.ThrowIfNegative(TargetToken);
}
