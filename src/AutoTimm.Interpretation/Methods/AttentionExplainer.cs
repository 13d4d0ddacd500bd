using AutoTimm.Models;
using AutoTimm.Interpretation.Engine;
using AutoTimm.Interpretation.Targets;
using static TorchSharp.torch;
using AutoTimm.Native;

namespace AutoTimm.Interpretation.Methods;

/// <summary>How attention heads are combined into one matrix per block.</summary>
public enum HeadFusion
{
    /// <summary>Average over heads.</summary>
    Mean,
    /// <summary>Maximum over heads.</summary>
    Max,
    /// <summary>Minimum over heads.</summary>
    Min,
}

/// <summary>
/// Base of methods that read a transformer's attention through <see cref="IAttentionModel"/>: every block's per-head
/// attention matrix <c>[N,heads,T,T]</c> from one forward pass (hooks live for that call only), and a token relevance
/// vector mapped to the patch grid at input resolution.
/// </summary>
public abstract class AttentionExplainer : Explainer
{
    /// <summary>Creates the explainer; the model must implement <see cref="IAttentionModel"/>.</summary>
    protected AttentionExplainer(VisionModel model, int targetToken) : base(model)
    {
        Attention = ExplanationSession.AttentionUnavailable(model) is { } reason
            ? throw new NotSupportedException($"{GetType().Name}: {reason}")
            : (IAttentionModel)model;
        var layout = Attention.TokenLayout;
        if (targetToken < 0 || targetToken >= layout.TokenCount)
            throw new ArgumentOutOfRangeException(nameof(targetToken), targetToken, $"target token must be in 0..{layout.TokenCount - 1} (0 is the class token)");
        TargetToken = targetToken;
    }

    /// <summary>The model's attention interface.</summary>
    protected IAttentionModel Attention { get; }

    /// <summary>Output token whose relevance is mapped: 0 is the class token, 1.. are patches in row-major order.</summary>
    public int TargetToken { get; }

    /// <summary>Combines heads: <c>[N,heads,T,T]</c> to <c>[N,T,T]</c>.</summary>
    internal static Tensor Fuse(Tensor attention, HeadFusion fusion) => fusion switch
    {
        HeadFusion.Mean => attention.mean([1]),
        HeadFusion.Max => attention.amax([1]),
        HeadFusion.Min => attention.amin([1]),
        _ => throw new ArgumentOutOfRangeException(nameof(fusion), fusion, "unknown head fusion"),
    };

    /// <summary>Relevance of each token <c>[N,T]</c> to the patch grid, upsampled bilinearly to the input: <c>[N,H,W]</c>.</summary>
    internal RawExplanation ToMaps(Tensor tokenRelevance, Tensor inputs, Tensor output, IReadOnlyList<IExplanationTarget> targets)
    {
        var layout = Attention.TokenLayout;
        var grid = tokenRelevance.narrow(1, layout.PrefixTokens, layout.GridHeight * layout.GridWidth)
            .reshape(-1, layout.GridHeight, layout.GridWidth);
        var maps = MapUpsampling.Bilinear(grid, inputs.shape[2], inputs.shape[3]);
        return new RawExplanation(maps, output, targets) { NativeResolution = (layout.GridHeight, layout.GridWidth) };
    }

    /// <summary>Adds the residual path and renormalizes rows: <c>(A + I) / 2</c>, rows summing to 1.</summary>
    internal static Tensor WithResidual(Tensor fused)
    {
        var identity = eye(fused.shape[^1], dtype: fused.dtype, device: fused.device).expand_as(fused);
        var augmented = fused.add(identity, Scalars.One).div(Scalars.Of(2));
        return augmented / augmented.sum(-1, keepdim: true);
    }
}
