using AutoTimm.Imaging;
using AutoTimm.Models;
using AutoTimm.Models.Onnx;
using AutoTimm.Tests.Fixtures;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Onnx;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace AutoTimm.Tests.Onnx;

/// <summary>
/// The attention interface of an imported transformer: a toy torchvision ViT (tools/onnx/make_onnx_fixtures.py),
/// whose nn.MultiheadAttention exports each block's attention as a Softmax over [batch x heads, T, T]. Its probes must
/// see exactly the attention ONNX Runtime computes, per image and head, and stay on the autograd graph.
/// </summary>
public sealed class OnnxTransformerTests
{
    private static readonly string Path = FixturePaths.Onnx("tiny_vit_opset17.onnx");

    private static OnnxModel Load()
    {
        var model = OnnxModel.Load(Path, new OnnxModelOptions { Mean = [0, 0, 0], Std = [1, 1, 1] });
        model.eval();
        return model;
    }

    [Fact]
    public void Finds_the_blocks_the_patch_grid_the_class_token_and_the_residual_stream()
    {
        using var model = Load();
        IAttentionModel attention = model;
        Assert.Null(attention.AttentionUnavailable);
        Assert.Equal(2, attention.AttentionProbes.Count);
        // 32 px in 8 px patches: a 4x4 grid after one class token.
        Assert.Equal(new TokenLayout(1, 4, 4), attention.TokenLayout);
        Assert.Equal(model.TokenLayout, attention.TokenLayout);
        Assert.Equal(0, attention.ClassTokenIndex);
        // The residual stream entering the last block: what its attention's residual Add adds back.
        Assert.Equal("/encoder/layers/encoder_layer_0/Add_1_output_0", model.DefaultTargetLayer);
        Assert.Equal(new long[] { 1, 17, 16 }, model.ShapeOf(model.DefaultTargetLayer));
    }

    [Fact]
    public void Probes_see_onnx_runtimes_attention_per_image_and_head_and_pass_gradients()
    {
        using var model = Load();
        using var input = Npy.Load(FixturePaths.Onnx("tiny_vit_input.npy"));
        using var pytorch = Npy.Load(FixturePaths.Onnx("tiny_vit_logits.npy"));

        // ONNX Runtime, with each block's Softmax added to the graph's outputs.
        var proto = ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path));
        var softmaxes = proto.Graph.Node.Where(n => n.OpType == "Softmax").Select(n => n.Output[0]).ToList();
        foreach (var s in softmaxes) proto.Graph.Output.Add(new ValueInfoProto { Name = s });
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL };
        using var session = new InferenceSession(proto.ToByteArray(), options);
        var feed = new DenseTensor<float>(input.data<float>().ToArray(), input.shape.Select(d => (int)d).ToArray());
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("input", feed)]);
        var ort = results.ToDictionary(r => r.Name, r => r.AsTensor<float>().ToArray());

        var captured = new List<Tensor>();
        var hooks = ((IAttentionModel)model).AttentionProbes.Select(p => p.register_forward_hook((_, _, output) =>
        {
            output.retain_grad();
            captured.Add(output);
            return output;
        })).ToList();
        try
        {
            using var logits = model.call(input.requires_grad_(true));
            Assert.Equal(pytorch.data<float>().ToArray(), logits.data<float>().ToArray(), new Tolerance(1e-5f));
            Assert.Equal(2, captured.Count);
            for (int block = 0; block < 2; block++)
            {
                // [batch x heads, T, T] in the graph, batch-major; [batch, heads, T, T] at the probe.
                Assert.Equal(new long[] { 2, 2, 17, 17 }, captured[block].shape);
                var expected = ort[softmaxes[block]];
                var actual = captured[block].detach().contiguous().data<float>().ToArray();
                Assert.Equal(expected.Length, actual.Length);
                Assert.True(expected.Zip(actual).All(z => Math.Abs(z.First - z.Second) <= 1e-5f), $"block {block} differs from ONNX Runtime");
            }
            logits[0, 1].backward();
            // Image 0's score depends on image 0's attention only.
            Assert.True(captured[1].grad![0].abs().sum().item<float>() > 0);
            Assert.Equal(0f, captured[1].grad![1].abs().sum().item<float>());
        }
        finally
        {
            foreach (var hook in hooks) hook.remove();
        }
    }

    [Fact]
    public void A_cnn_graph_reports_why_it_has_no_attention()
    {
        using var cnn = OnnxModel.Load(FixturePaths.Onnx("fashion_cnn_opset17.onnx"), new OnnxModelOptions { Height = 64, Width = 64 });
        IAttentionModel attention = cnn;
        Assert.Contains("has no attention blocks", attention.AttentionUnavailable);
        Assert.Null(cnn.TokenLayout);
        var error = Assert.Throws<NotSupportedException>(() => attention.AttentionProbes);
        Assert.Contains("onnx:fashion_cnn_opset17 has no attention blocks", error.Message);
    }

    private sealed class Tolerance(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(float obj) => 0;
    }
}
