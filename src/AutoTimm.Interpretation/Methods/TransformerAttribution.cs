using AutoTimm.Interpretation.Targets;
using AutoTimm.Models;
using TorchSharp;
using static TorchSharp.torch;

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

    internal override RawExplanation Compute(Tensor inputs, IReadOnlyList<IExplanationTarget?> targets)
    {
        using var gradMode = enable_grad();
        var x = inputs.detach().requires_grad_(true);
        var (logits, attention) = ForwardWithAttention(x);
        var resolved = ResolveTargets(targets, logits);
        var score = SumScores(logits, resolved);
        GradientGuard.Check(score, "the target score");
        foreach (var a in attention) GradientGuard.Check(a, "the attention matrices");
        var gradients = torch.autograd.grad([score], attention);
        long n = inputs.shape[0], t = attention[0].shape[^1];
        var relevance = eye(t, dtype: inputs.dtype).expand(n, t, t).clone();
        for (int b = 0; b < attention.Length; b++)
        {
            var weighted = (gradients[b] * attention[b].detach()).clamp_min(0).mean([1]);
            relevance = relevance + weighted.matmul(relevance);
        }
        return ToMaps(relevance.select(1, TargetToken), inputs, logits.detach(), ClassesOf(resolved));
    }
}
