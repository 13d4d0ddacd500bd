using TorchSharp;
using static TorchSharp.torch;
using AutoTimm.Native;

namespace AutoTimm.Interpretation.Adapters;

/// <summary>Per-pixel uncertainty of a segmenter's softmax, in [0, 1].</summary>
public static class SegmentationUncertainty
{
    /// <summary>The methods: <c>entropy</c> (normalized by log K) and <c>margin</c> (1 minus the gap between the two best probabilities).</summary>
    public static IReadOnlyList<string> Methods { get; } = ["entropy", "margin"];

    /// <summary>Uncertainty <c>[H, W]</c> of one image's logits <c>[K, H, W]</c>.</summary>
    public static Tensor Compute(Tensor logits, string method)
    {
        ArgumentNullException.ThrowIfNull(logits);
        if (logits.dim() != 3 || logits.shape[0] < 2) throw new ArgumentException($"logits are [K >= 2, H, W]; got [{string.Join(",", logits.shape)}]");
        var p = logits.to(ScalarType.Float32).softmax(0);
        switch (method?.ToLowerInvariant())
        {
            case "entropy":
            {
                // 0 log 0 = 0: log_softmax keeps the product finite where p underflows.
                using Scalar classes = Math.Log(logits.shape[0]);
                return (p * logits.to(ScalarType.Float32).log_softmax(0)).sum(0L).neg().div(classes);
            }
            case "margin":
                var top = p.topk(2, dim: 0).values;
                return Scalars.OneMinus(top[0] - top[1]);
            default:
                throw new ArgumentException($"unknown uncertainty method '{method}'; known: {string.Join(", ", Methods)}", nameof(method));
        }
    }
}
