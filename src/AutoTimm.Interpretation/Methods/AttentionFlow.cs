using AutoTimm.Interpretation.Engine;
using AutoTimm.Interpretation.Targets;
using AutoTimm.Models;
using AutoTimm.Native;
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

    /// <inheritdoc/>
    public override RawExplanation Compute(ExplanationSession session, Tensor inputs, IReadOnlyList<IExplanationTarget?> targets)
    {
        ArgumentNullException.ThrowIfNull(session);
        using var _ = no_grad();
        var (output, attention) = session.ForwardWithAttention(inputs, withGradients: false);
        var resolved = session.ResolveTargets(output, targets);
        int n = (int)inputs.shape[0], layers = attention.Length;
        int tokens = (int)attention[0].shape[^1];
        var matrices = attention.Select(a => WithResidual(Fuse(a, HeadFusion)).to(ScalarType.Float64, CPU).CopyToArray<double>()).ToArray();
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
        var relevanceTensor = tensor(relevance, [n, tokens], device: inputs.device).to_type(ScalarType.Float32);
        return ToMaps(relevanceTensor, inputs, output, resolved);
    }

    /// <summary>The registry's entry.</summary>
    public static MethodDescriptor Descriptor { get; } = new("attention_flow", "Attention Flow", typeof(AttentionFlowOptions),
        (model, options) =>
        {
            var o = options.Get<AttentionFlowOptions>();
            return new AttentionFlow(model, o.TargetToken, o.HeadFusion);
        })
    {
        Aliases = ["flow"],
        NotApplicableBecause = ExplanationSession.AttentionUnavailable,
        Summary = "maximum flow through the layered attention graph, per patch",
    };
}

/// <summary>Options of <see cref="AttentionFlow"/>.</summary>
public sealed record AttentionFlowOptions : IMethodOptions
{
    /// <summary>How heads are combined.</summary>
    public HeadFusion HeadFusion { get; init; } = HeadFusion.Mean;

    /// <summary>Output token the flow goes to (0: the class token).</summary>
    public int TargetToken { get; init; }

    /// <inheritdoc/>
    public void Validate()
    {
        if (!Enum.IsDefined(HeadFusion)) throw new ArgumentOutOfRangeException(nameof(HeadFusion), HeadFusion, "head fusion must be mean, max or min");
        ArgumentOutOfRangeException.ThrowIfNegative(TargetToken);
    }
}
