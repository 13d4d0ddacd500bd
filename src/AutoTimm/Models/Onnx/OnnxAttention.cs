using Onnx;

namespace AutoTimm.Models.Onnx;

/// <summary>
/// The attention blocks of an imported transformer, found by pattern in the shapes of one probe forward (batch 1):
/// <list type="bullet">
/// <item>the probes are the Softmax outputs shaped [1, heads, T, T], or [heads, T, T] where the exporter merged batch
/// and heads batch-major (torch.nn.MultiheadAttention does), with one token count T throughout;</item>
/// <item>the patch grid is the last map [1, C, gh, gw] before the first probe whose gh x gw patches leave 0 to 2
/// prefix tokens (class, distillation) of T;</item>
/// <item>the residual stream entering the last block is what the first residual Add after the last probe adds back:
/// its [1, T, C] input computed before that probe. Grad-CAM reads it by default, as pytorch-grad-cam reads a ViT's
/// last block.</item>
/// </list>
/// Windowed attention (Swin: [windows, heads, 49, 49]) does not match and leaves the graph a CNN to the explainers.
/// </summary>
internal sealed record OnnxAttention(IReadOnlyList<OnnxAttention.Probe> Probes, TokenLayout Layout, string? ResidualStream)
{
    /// <summary>A Softmax output holding one block's attention, and its heads; <paramref name="Merged"/> when batch and heads share its first axis.</summary>
    public sealed record Probe(string Output, long Heads, long Tokens, bool Merged);

    // [1, heads, T, T] or [heads, T, T] (batch 1 at the probe), with T > 1.
    private static bool IsAttention(long[]? shape) =>
        shape is [1, > 0, _, _] or [> 0, _, _] && shape[^1] == shape[^2] && shape[^1] > 1;

    public static OnnxAttention? Find(IReadOnlyList<NodeProto> nodes, IReadOnlyDictionary<string, long[]> shapes)
    {
        long[]? Shape(string name) => shapes.TryGetValue(name, out var s) ? s : null;
        var producedAt = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < nodes.Count; i++)
            foreach (var output in nodes[i].Output.Where(o => o.Length > 0)) producedAt[output] = i;

        var probes = Enumerable.Range(0, nodes.Count)
            .Where(i => nodes[i].OpType == "Softmax" && IsAttention(Shape(nodes[i].Output[0])))
            .ToList();
        if (probes.Count == 0) return null;
        long tokens = Shape(nodes[probes[0]].Output[0])![^1];
        if (probes.Any(i => Shape(nodes[i].Output[0])![^1] != tokens)) return null;

        var grid = Enumerable.Range(0, probes[0]).Reverse()
            .SelectMany(i => nodes[i].Output.Where(o => o.Length > 0))
            .Select(Shape)
            .FirstOrDefault(s => s is [1, _, > 1 and var h, > 1 and var w] && tokens - h * w is >= 0 and <= 2);
        if (grid is null) return null;
        var layout = new TokenLayout((int)(tokens - grid[2] * grid[3]), (int)grid[2], (int)grid[3]);

        int last = probes[^1];
        string? residual = null;
        for (int i = last + 1; i < nodes.Count && residual is null; i++)
        {
            if (nodes[i].OpType != "Add" || Shape(nodes[i].Output[0]) is not [1, var t, _] output || t != tokens) continue;
            residual = nodes[i].Input.FirstOrDefault(input => producedAt.TryGetValue(input, out var at) && at < last && Shape(input) is { } s && s.SequenceEqual(output));
        }
        return new OnnxAttention([.. probes.Select(i => nodes[i].Output[0]).Select(o => Shape(o) is [1, var heads, _, _]
            ? new Probe(o, heads, tokens, Merged: false)
            : new Probe(o, Shape(o)![0], tokens, Merged: true))], layout, residual);
    }
}
