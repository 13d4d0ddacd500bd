using AutoTimm.Interpretation.Targets;
using AutoTimm.Models;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Methods;

/// <summary>
/// Attention flow (Abnar &amp; Zuidema 2020): the attention graph has a node per token per layer and an edge from
/// token j of layer l to token i of layer l+1 with capacity <c>(A_l + I)/2</c> (rows renormalized, heads fused).
/// A patch's relevance is the maximum flow from its input node to the target token at the last layer. Exact but
/// costlier than rollout: one max-flow per patch.
/// </summary>
public sealed class AttentionFlow : AttentionExplainer
{
    /// <summary>Creates the explainer.</summary>
    /// <param name="model">A Vision Transformer.</param>
    /// <param name="targetPatch">Output token the flow goes to: 0 is the class token, 1.. are patches.</param>
    /// <param name="headFusion">How heads are combined.</param>
    public AttentionFlow(VisionModel model, int targetPatch = 0, HeadFusion headFusion = HeadFusion.Mean)
        : base(model, targetPatch)
    {
        HeadFusion = headFusion;
    }

    /// <summary>How heads are combined.</summary>
    public HeadFusion HeadFusion { get; }

    /// <inheritdoc/>
    public override string Method => "attention_flow";

    internal override RawExplanation Compute(Tensor inputs, IReadOnlyList<IExplanationTarget?> targets)
    {
        using var _ = no_grad();
        var (logits, attention) = ForwardWithAttention(inputs);
        var resolved = ResolveTargets(targets, logits);
        int n = (int)inputs.shape[0], layers = attention.Length;
        int tokens = (int)attention[0].shape[^1];
        var matrices = attention.Select(a => WithResidual(Fuse(a, HeadFusion)).to_type(ScalarType.Float64).contiguous().data<double>().ToArray()).ToArray();
        var relevance = new double[n * tokens];
        for (int image = 0; image < n; image++)
        {
            var graph = new MaxFlow((layers + 1) * tokens);
            for (int l = 0; l < layers; l++)
            {
                int offset = image * tokens * tokens;
                for (int i = 0; i < tokens; i++)
                for (int j = 0; j < tokens; j++)
                    graph.AddEdge(l * tokens + j, (l + 1) * tokens + i, matrices[l][offset + i * tokens + j]);
            }
            int sink = layers * tokens + TargetToken;
            for (int j = 0; j < tokens; j++)
                relevance[image * tokens + j] = graph.Compute(j, sink);
        }
        var relevanceTensor = tensor(relevance, [n, tokens]).to_type(ScalarType.Float32);
        return ToMaps(relevanceTensor, inputs, logits, ClassesOf(resolved));
    }
}
