using AutoTimm.Interpretation.Methods;
using AutoTimm.Interpretation.Tests.Models;
using AutoTimm.Models;
using AutoTimm.Models.Architectures;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Tests.Methods;

public sealed class AttentionMethodsTests
{
    internal static VisionTransformer Vit(int depth, long seed)
    {
        manual_seed(seed);
        var config = new ModelConfig { Arch = "vit_test", NumClasses = 4, Preprocess = new() { Height = 16, Width = 16 } };
        var vit = new VisionTransformer(new VitSpec { ImageSize = 16, PatchSize = 8, EmbedDim = 12, Depth = depth, NumHeads = 3 }, config);
        // Larger weights than the 0.02-std initialisation, so attention and gradients have structure.
        using (no_grad()) foreach (var p in vit.parameters()) p.normal_(0, 0.4);
        return vit;
    }

    private static double[,] Attention(VisionTransformer vit, Tensor x, int block)
    {
        Tensor? captured = null;
        var hook = vit.Blocks[block].Attention.AttentionProbe.register_forward_hook((_, _, o) => { captured = o.detach().clone(); return o; });
        using (no_grad()) vit.call(x).Dispose();
        hook.remove();
        var mean = captured!.mean([1])[0].to_type(ScalarType.Float64).contiguous();
        int t = (int)mean.shape[0];
        var values = mean.data<double>().ToArray();
        var result = new double[t, t];
        for (int i = 0; i < t; i++) for (int j = 0; j < t; j++) result[i, j] = values[i * t + j];
        return result;
    }

    private static double[,] Residual(double[,] a)
    {
        int t = a.GetLength(0);
        var r = new double[t, t];
        for (int i = 0; i < t; i++)
        {
            double sum = 0;
            for (int j = 0; j < t; j++) sum += r[i, j] = (a[i, j] + (i == j ? 1 : 0)) / 2;
            for (int j = 0; j < t; j++) r[i, j] /= sum;
        }
        return r;
    }

    [Fact]
    public void Should_roll_out_two_blocks_as_a_product_of_residual_matrices()
    {
        using var vit = Vit(2, 1);
        using var x = randn(1, 3, 16, 16, generator: new TorchSharp.torch.Generator(5));
        var a0 = Residual(Attention(vit, x, 0));
        var a1 = Residual(Attention(vit, x, 1));
        var heatmap = new AttentionRollout(vit).Explain(x);
        Assert.Equal((2, 2), heatmap.NativeResolution);
        // Relevance of patch p (token p+1) to the class token: (A1 A0)[0, p+1].
        var expected = new double[4];
        for (int p = 0; p < 4; p++)
            for (int k = 0; k < 5; k++) expected[p] += a1[0, k] * a0[k, p + 1];
        for (int p = 0; p < 4; p++) Assert.Equal(expected[p], CellValue(heatmap, p), 5);
    }

    /// <summary>
    /// A grid cell's value read back from the upsampled map: with half-pixel bilinear upsampling of a 2x2 grid to
    /// 16x16, the image corners sample source coordinates clamped to the cells themselves, so they equal the cells.
    /// </summary>
    private static double CellValue(Heatmap heatmap, int patch)
    {
        int y = patch / 2 == 0 ? 0 : 15, x = patch % 2 == 0 ? 0 : 15;
        return heatmap.Raw[y * 16 + x];
    }

    [Fact]
    public void Should_make_flow_equal_rollout_for_a_single_block()
    {
        using var vit = Vit(1, 2);
        using var x = randn(2, 3, 16, 16, generator: new TorchSharp.torch.Generator(6));
        var rollout = new AttentionRollout(vit).ExplainBatch(x);
        var flow = new AttentionFlow(vit, targetPatch: 0).ExplainBatch(x);
        for (int i = 0; i < 2; i++)
            for (int p = 0; p < 256; p++) Assert.Equal(rollout[i].Raw[p], flow[i].Raw[p], 5);
    }

    [Fact]
    public void Should_bound_flow_by_rollout_paths_and_keep_it_positive()
    {
        using var vit = Vit(2, 3);
        using var x = randn(1, 3, 16, 16, generator: new TorchSharp.torch.Generator(7));
        var flow = new AttentionFlow(vit).Explain(x);
        Assert.All(flow.Raw, v => Assert.InRange(v, 0f, 1f + 1e-5f));
        Assert.Contains(flow.Raw, v => v > 0);
    }

    [Fact]
    public void Should_compute_max_flow_of_a_hand_made_graph()
    {
        // s=0 -> 1 (3), s -> 2 (2), 1 -> 2 (1), 1 -> t=3 (2), 2 -> t (3): max flow 5.
        var graph = new MaxFlow(4);
        graph.AddEdge(0, 1, 3);
        graph.AddEdge(0, 2, 2);
        graph.AddEdge(1, 2, 1);
        graph.AddEdge(1, 3, 2);
        graph.AddEdge(2, 3, 3);
        Assert.Equal(5, graph.Compute(0, 3), 12);
        Assert.Equal(3, graph.Compute(2, 3), 12);
    }

    [Fact]
    public void Should_depend_on_the_class_for_transformer_attribution()
    {
        using var vit = Vit(2, 4);
        using var x = randn(1, 3, 16, 16, generator: new TorchSharp.torch.Generator(8));
        var attribution = new TransformerAttribution(vit);
        var a = attribution.Explain(x, 0);
        var b = attribution.Explain(x, 1);
        Assert.Equal(0, a.TargetClass);
        Assert.True(a.Raw.Zip(b.Raw, (u, v) => Math.Abs(u - v)).Max() > 1e-6);
        var rollout = new AttentionRollout(vit);
        Assert.Equal(rollout.Explain(x, 0).Raw, rollout.Explain(x, 1).Raw);
    }

    [Fact]
    public void Should_explain_why_attention_methods_do_not_apply_to_a_cnn()
    {
        using var model = new TinyConvNet();
        var e = Assert.Throws<NotSupportedException>(() => new AttentionRollout(model));
        Assert.Contains("has no attention layers", e.Message);
        Assert.Throws<NotSupportedException>(() => new AttentionFlow(model));
    }

    [Fact]
    public void Should_reject_a_target_patch_outside_the_token_range()
    {
        using var vit = Vit(1, 5);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new AttentionFlow(vit, targetPatch: 5));
        Assert.Contains("0..4", e.Message);
    }
}
