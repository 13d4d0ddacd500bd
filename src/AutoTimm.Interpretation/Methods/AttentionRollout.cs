using AutoTimm.Interpretation.Engine;
using AutoTimm.Interpretation.Targets;
using AutoTimm.Models;
using static TorchSharp.torch;
using AutoTimm.Native;

namespace AutoTimm.Interpretation.Methods;

/// <summary>
/// Attention rollout (Abnar &amp; Zuidema 2020): per block, heads are fused, the weakest <see cref="DiscardRatio"/>
/// of attention weights are dropped (the class token's attention to itself is kept), the residual identity is
/// added and rows renormalized; the blocks' matrices are multiplied from the first to the last, and the target
/// token's row gives each patch's relevance. Class-agnostic: the target class only labels the result.
/// </summary>
public sealed class AttentionRollout : AttentionExplainer
{
    /// <summary>Creates the explainer.</summary>
    /// <param name="model">A Vision Transformer.</param>
    /// <param name="headFusion">How heads are combined.</param>
    /// <param name="discardRatio">Share of the lowest attention weights set to zero per block, in [0,1).</param>
    /// <param name="targetToken">Output token explained (0: class token).</param>
    public AttentionRollout(VisionModel model, HeadFusion headFusion = HeadFusion.Mean, double discardRatio = 0.0, int targetToken = 0)
        : base(model, targetToken)
    {
        if (discardRatio is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(discardRatio), discardRatio, "discard ratio must be in [0,1)");
        HeadFusion = headFusion;
        DiscardRatio = discardRatio;
    }

    /// <summary>Creates the explainer from a head-fusion name: mean, max or min.</summary>
    public AttentionRollout(VisionModel model, string headFusion, double discardRatio = 0.0)
        : this(model, Enum.TryParse<HeadFusion>(headFusion, true, out var f) ? f : throw new ArgumentException($"unknown head fusion '{headFusion}'; known: mean, max, min", nameof(headFusion)), discardRatio) { }

    /// <summary>How heads are combined.</summary>
    public HeadFusion HeadFusion { get; }

    /// <summary>Share of attention weights discarded per block.</summary>
    public double DiscardRatio { get; }

    /// <inheritdoc/>
    public override string Method => "attention_rollout";

    internal override bool OnePassPerRow => true;

    /// <inheritdoc/>
    public override RawExplanation Compute(ExplanationSession session, Tensor inputs, IReadOnlyList<IExplanationTarget?> targets)
    {
        ArgumentNullException.ThrowIfNull(session);
        using var _ = no_grad();
        var (output, attention) = session.ForwardWithAttention(inputs, withGradients: false);
        var resolved = session.ResolveTargets(output, targets);
        var rollout = Rollout(attention);
        return ToMaps(rollout.select(1, TargetToken), inputs, output, resolved);
    }

    /// <summary>The rollout matrix <c>[N,T,T]</c> from per-block attention <c>[N,heads,T,T]</c>.</summary>
    internal Tensor Rollout(IReadOnlyList<Tensor> attention)
    {
        Tensor? result = null;
        foreach (var blockAttention in attention)
        {
            var fused = Fuse(blockAttention, HeadFusion);
            if (DiscardRatio > 0) fused = Discard(fused, DiscardRatio);
            var a = WithResidual(fused);
            result = result is null ? a : a.matmul(result);
        }
        return result!;
    }

    private static Tensor Discard(Tensor fused, double ratio)
    {
        long n = fused.shape[0], t = fused.shape[1];
        var flat = fused.reshape(n, t * t).clone();
        int k = (int)(t * t * ratio);
        if (k == 0) return fused;
        var lowest = flat.topk(k, dim: -1, largest: false).indexes;
        var mask = zeros_like(flat, dtype: ScalarType.Bool).scatter_(1, lowest, ones_like(lowest, dtype: ScalarType.Bool));
        mask.index_put_(Scalars.Of(0), TensorIndex.Colon, TensorIndex.Single(0)); // keep class token -> class token
        return flat.masked_fill(mask, Scalars.Of(0)).reshape(n, t, t);
    }

    /// <summary>The registry's entry.</summary>
    public static MethodDescriptor Descriptor { get; } = new("attention_rollout", "Attention Rollout", typeof(AttentionRolloutOptions),
        (model, options) =>
        {
            var o = options.Get<AttentionRolloutOptions>();
            return new AttentionRollout(model, o.HeadFusion, o.DiscardRatio, o.TargetToken);
        })
    {
        Aliases = ["rollout"],
        NotApplicableBecause = ExplanationSession.AttentionUnavailable,
        Summary = "attention matrices with the residual path, multiplied through the blocks",
    };
}

/// <summary>Options of <see cref="AttentionRollout"/>.</summary>
public sealed record AttentionRolloutOptions : IMethodOptions
{
    /// <summary>How heads are combined.</summary>
    public HeadFusion HeadFusion { get; init; } = HeadFusion.Mean;

    /// <summary>Share of the lowest attention weights dropped per block, in [0,1).</summary>
    public double DiscardRatio { get; init; }

    /// <summary>Output token explained (0: the class token).</summary>
    public int TargetToken { get; init; }

    /// <inheritdoc/>
    public void Validate()
    {
        if (!Enum.IsDefined(HeadFusion)) throw new ArgumentOutOfRangeException(nameof(HeadFusion), HeadFusion, "head fusion must be mean, max or min");
        if (!(DiscardRatio >= 0 && DiscardRatio < 1)) throw new ArgumentOutOfRangeException(nameof(DiscardRatio), DiscardRatio, "discard ratio must be in [0,1)");
        ArgumentOutOfRangeException.ThrowIfNegative(TargetToken);
    }
}
