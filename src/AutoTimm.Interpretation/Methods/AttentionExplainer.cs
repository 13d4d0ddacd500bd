using AutoTimm.Models;
using AutoTimm.Models.Architectures;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

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
/// Base of methods that read a Vision Transformer's attention: captures every block's per-head attention matrix
/// <c>[N,heads,T,T]</c> during one forward pass (hooks live for that call only) and maps a token relevance vector to
/// the patch grid at input resolution.
/// </summary>
public abstract class AttentionExplainer : Explainer
{
    /// <summary>Creates the explainer; the model must be a Vision Transformer.</summary>
    protected AttentionExplainer(VisionModel model, int targetToken) : base(model)
    {
        Transformer = model as VisionTransformer ?? throw new NotSupportedException(
            $"{GetType().Name} needs a Vision Transformer: {model.Config.Arch} has no attention layers. Use gradcam, gradcampp, integrated_gradients or smoothgrad for CNNs.");
        var layout = Transformer.TokenLayout;
        if (targetToken < 0 || targetToken >= layout.TokenCount)
            throw new ArgumentOutOfRangeException(nameof(targetToken), targetToken, $"target token must be in 0..{layout.TokenCount - 1} (0 is the class token)");
        TargetToken = targetToken;
    }

    /// <summary>The transformer explained.</summary>
    protected VisionTransformer Transformer { get; }

    /// <summary>Output token whose relevance is mapped: 0 is the class token, 1.. are patches in row-major order.</summary>
    public int TargetToken { get; }

    /// <summary>Runs the model and returns its logits and every block's attention (still on the autograd graph).</summary>
    internal (Tensor Logits, Tensor[] Attention) ForwardWithAttention(Tensor inputs)
    {
        var blocks = Transformer.Blocks;
        var attention = new Tensor?[blocks.Count];
        var captures = blocks.Select((block, i) => block.Attention.AttentionProbe.register_forward_hook((_, _, output) =>
        {
            attention[i] = output;
            return output;
        })).ToArray();
        try
        {
            var logits = Model.call(inputs);
            return (logits, attention.Select((a, i) => a ?? throw new InvalidOperationException($"block {i} produced no attention")).ToArray());
        }
        finally
        {
            foreach (var capture in captures) capture.remove();
        }
    }

    /// <summary>Combines heads: <c>[N,heads,T,T]</c> to <c>[N,T,T]</c>.</summary>
    internal static Tensor Fuse(Tensor attention, HeadFusion fusion) => fusion switch
    {
        HeadFusion.Mean => attention.mean([1]),
        HeadFusion.Max => attention.amax([1]),
        HeadFusion.Min => attention.amin([1]),
        _ => throw new ArgumentOutOfRangeException(nameof(fusion), fusion, "unknown head fusion"),
    };

    /// <summary>Relevance of each token <c>[N,T]</c> to the patch grid, upsampled bilinearly to the input: <c>[N,H,W]</c>.</summary>
    internal RawExplanation ToMaps(Tensor tokenRelevance, Tensor inputs, Tensor logits, int[] targets)
    {
        var layout = Transformer.TokenLayout;
        var grid = tokenRelevance.narrow(1, layout.PrefixTokens, layout.GridHeight * layout.GridWidth)
            .reshape(-1, 1, layout.GridHeight, layout.GridWidth);
        var maps = F.interpolate(grid, size: [inputs.shape[2], inputs.shape[3]], mode: InterpolationMode.Bilinear, align_corners: false).squeeze(1);
        return new RawExplanation(maps, logits, targets) { NativeResolution = (layout.GridHeight, layout.GridWidth) };
    }

    /// <summary>Adds the residual path and renormalizes rows: <c>(A + I) / 2</c>, rows summing to 1.</summary>
    internal static Tensor WithResidual(Tensor fused)
    {
        var identity = eye(fused.shape[^1], dtype: fused.dtype).expand_as(fused);
        var augmented = (fused + identity) / 2;
        return augmented / augmented.sum(-1, keepdim: true);
    }
}
