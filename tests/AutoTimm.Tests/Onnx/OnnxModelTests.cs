using AutoTimm.Imaging;
using AutoTimm.Models;
using AutoTimm.Models.Onnx;
using AutoTimm.Tests.Fixtures;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Onnx;
using TorchSharp;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace AutoTimm.Tests.Onnx;

/// <summary>
/// Whole graphs: the bundled classifier exported by torch.onnx.export (tools/onnx/make_onnx_fixtures.py) against
/// PyTorch's logits, ONNX Runtime and the native model; gradients against finite differences; layers by output name.
/// </summary>
public sealed class OnnxModelTests
{
    private const string LastBlock = "/layer4/layer4.0/relu_1/Relu_output_0";

    private static OnnxModelOptions Small => OnnxModelOptions.From(ImageClassifier.LoadFromCheckpoint(BundledModels.CnnPath).Config.Preprocess);

    private static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        double scale = expected.abs().max().item<float>(), worst = (expected - actual).abs().max().item<float>();
        Assert.True(worst <= 1e-4 * scale + 1e-6, $"{what}: max|d| {worst} against max|ref| {scale}");
    }

    private static Tensor OrtLogits(string path, Tensor input)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL };
        using var session = new InferenceSession(path, options);
        var feed = new DenseTensor<float>(input.data<float>().ToArray(), input.shape.Select(d => (int)d).ToArray());
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("input", feed)]);
        var output = results.First().AsTensor<float>();
        return tensor(output.ToArray(), output.Dimensions.ToArray().Select(d => (long)d).ToArray());
    }

    [Theory]
    [InlineData(13)]
    [InlineData(17)]
    public void Exported_classifier_matches_pytorch_onnx_runtime_and_the_native_model(int opset)
    {
        var path = FixturePaths.Onnx($"fashion_cnn_opset{opset}.onnx");
        using var model = OnnxModel.Load(path, Small);
        using var input = Npy.Load(FixturePaths.Onnx("fashion_cnn_input.npy"));
        using var pytorch = Npy.Load(FixturePaths.Onnx("fashion_cnn_logits.npy"));
        using var native = ImageClassifier.LoadFromCheckpoint(BundledModels.CnnPath);
        native.eval();
        model.eval();
        using var _ = no_grad();
        using var logits = model.call(input);
        AssertClose(pytorch, logits, "PyTorch");
        using var ort = OrtLogits(path, input);
        AssertClose(ort, logits, "ONNX Runtime");
        using var nativeLogits = native.call(input);
        AssertClose(nativeLogits, logits, "native model");
        Assert.Equal(10, model.NumClasses);
        Assert.Equal(opset, model.Opset);
    }

    [Fact]
    public void Every_node_output_is_a_layer_and_the_default_is_the_last_spatial_one()
    {
        using var model = OnnxModel.Load(FixturePaths.Onnx("fashion_cnn_opset13.onnx"), Small);
        Assert.Equal(LastBlock, model.DefaultTargetLayer);
        var layer = ModuleLookup.Resolve(model, LastBlock);
        Assert.Equal(LastBlock, ModuleLookup.Canonical(model, LastBlock));
        Assert.Equal([1L, 128, 8, 8], model.ShapeOf(LastBlock));
        Assert.Equal("logits", model.LayerNames[^1]);
        Tensor? captured = null;
        var hook = ((nn.Module<Tensor, Tensor>)layer).register_forward_hook((_, _, output) => { captured = output.detach().clone(); return output; });
        using var input = Npy.Load(FixturePaths.Onnx("fashion_cnn_input.npy"));
        using var features = model.ForwardFeatures(input);
        Assert.NotNull(captured);
        hook.remove();
        AssertClose(features, captured!, "hooked layer");
        Assert.Throws<LayerNotFoundException>(() => ModuleLookup.Resolve(model, "/layer4/layer4.0/relu_9/Relu_output_0"));
    }

    [Fact]
    public void Input_gradients_match_finite_differences_in_float64()
    {
        using var model = OnnxModel.Load(FixturePaths.Onnx("tiny_cnn.onnx"), new OnnxModelOptions { Height = 8, Width = 8 });
        model.to(ScalarType.Float64);
        using var generator = new Generator(3);
        using var input = randn([1, 3, 8, 8], ScalarType.Float64, generator: generator).requires_grad_(true);
        using var logits = model.call(input);
        logits[0, 1].backward();
        var gradient = input.grad!.clone();
        const double eps = 1e-6;
        double scale = gradient.abs().max().item<double>();
        foreach (var (c, y, x) in new[] { (0, 0, 0), (1, 3, 4), (2, 7, 7), (0, 5, 2), (2, 1, 6) })
        {
            using var _ = no_grad();
            using var plus = input.detach().clone();
            using var minus = input.detach().clone();
            plus[0, c, y, x] += eps;
            minus[0, c, y, x] -= eps;
            double numeric = (model.call(plus)[0, 1].item<double>() - model.call(minus)[0, 1].item<double>()) / (2 * eps);
            double analytic = gradient[0, c, y, x].item<double>();
            Assert.True(Math.Abs(numeric - analytic) <= 1e-6 * scale + 1e-9, $"({c},{y},{x}): autograd {analytic}, finite difference {numeric}");
        }
    }

    [Fact]
    public void A_graph_with_an_unsupported_op_fails_to_load_naming_the_op_its_node_and_opset()
    {
        var proto = OnnxFile.Read(FixturePaths.Onnx("tiny_cnn.onnx"));
        proto.Graph.Node[1].OpType = "LpNormalization";
        var error = Assert.Throws<NotSupportedException>(() => OnnxModel.FromProto(proto, "tiny_cnn", new OnnxModelOptions { Height = 8, Width = 8 }));
        Assert.Contains("LpNormalization node (output 'relu', opset 13): the operator LpNormalization is not supported", error.Message);
    }
}
