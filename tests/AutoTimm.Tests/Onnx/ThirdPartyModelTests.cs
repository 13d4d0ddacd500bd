using AutoTimm.Imaging;
using AutoTimm.Models.Onnx;
using AutoTimm.Tests.Fixtures;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace AutoTimm.Tests.Onnx;

/// <summary>
/// Graphs other tools made, with real trained weights: MediaPipe BlazeFace (TensorFlow, NHWC, four outputs),
/// PaddleOCR's direction classifier (paddle2onnx, opset 9) and ML.NET's ResNet18 featurizer (CNTK, opset 8, behind
/// its own preprocessing graph). Each is described by its sidecar, checked against ONNX Runtime on a photo, and shown
/// to answer as its own runtime would, which the sidecar's preprocessing decides.
/// </summary>
public sealed class ThirdPartyModelTests
{
    private static string Fixture(string name) => FixturePaths.Onnx(Path.Combine("third_party", name));

    private static string Featurizer(string name) => Path.Combine(AppContext.BaseDirectory, "DnnImageModels", name);

    /// <summary>ONNX Runtime's outputs for <paramref name="input"/>, by name.</summary>
    private static Dictionary<string, Tensor> Ort(string path, Tensor input)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL };
        using var session = new InferenceSession(path, options);
        using var contiguous = input.contiguous();
        var feed = new DenseTensor<float>(contiguous.data<float>().ToArray(), input.shape.Select(d => (int)d).ToArray());
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(session.InputMetadata.Keys.First(), feed)]);
        return results.ToDictionary(r => r.Name, r => tensor(r.AsTensor<float>().ToArray(), r.AsTensor<float>().Dimensions.ToArray().Select(d => (long)d).ToArray()));
    }

    private static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        double scale = expected.abs().max().item<float>(), worst = (expected - actual).abs().max().item<float>();
        Assert.True(worst <= 1e-4 * scale + 1e-6, $"{what}: max|d| {worst} against max|ref| {scale}");
    }

    private static Tensor Photo(OnnxModel model, string asset) => ImageInput.FromFile(FixturePaths.Asset(asset)).ToModelInput(model.Config.Preprocess);

    [Fact]
    public void BlazeFace_matches_onnx_runtime_on_all_four_outputs_and_finds_the_astronauts_face()
    {
        var path = Fixture("face_detection_front_128x128_barracuda.onnx");
        using var model = OnnxModel.Load(path); // the sidecar: NHWC, [-1, 1], scores from Identity:0
        model.eval();
        Assert.Equal(OnnxLayout.Nhwc, model.Layout);
        Assert.Equal((128, 128), (model.Config.Preprocess.Height, model.Config.Preprocess.Width));
        Assert.Equal(512, model.NumClasses);
        using var image = Photo(model, "samples/photos/astronaut.png");
        using var graphInput = model.ToGraphInput(image);
        Assert.Equal(new long[] { 1, 128, 128, 3 }, graphInput.shape);
        // [-1, 1]: the sidecar's range, with mean 0 and std 1.
        Assert.InRange(graphInput.min().item<float>(), -1.0001f, -0.5f);
        Assert.InRange(graphInput.max().item<float>(), 0.5f, 1.0001f);
        var expected = Ort(path, graphInput);
        using (no_grad())
        {
            var outputs = model.RunGraph(graphInput);
            Assert.Equal(["Identity:0", "Identity_1:0", "Identity_2:0", "Identity_3:0"], outputs.Keys.Order(StringComparer.Ordinal).ToArray());
            foreach (var (name, value) in expected) AssertClose(value, outputs[name], name);
            // A face: the best anchor's score is confident (a logit of 2 is 88%).
            using var scores = model.call(image);
            Assert.True(scores.max().item<float>() > 2, $"best face score logit {scores.max().item<float>()}");
        }
    }

    [Fact]
    public void A_graph_with_its_batch_baked_in_runs_a_batch_one_image_at_a_time_while_layers_see_the_batch()
    {
        // BlazeFace reshapes to [1, 512, 1]: a batch of two cannot run through it as one tensor.
        using var model = OnnxModel.Load(Fixture("face_detection_front_128x128_barracuda.onnx"));
        model.eval();
        using var astronaut = Photo(model, "samples/photos/astronaut.png");
        using var cat = Photo(model, "samples/photos/chelsea.png");
        using var both = TorchSharp.torch.cat([astronaut, cat]);
        var seen = new List<long[]>();
        var hook = ((TorchSharp.torch.nn.Module<Tensor, Tensor>)model.FindLayer(model.DefaultTargetLayer)!).register_forward_hook((_, _, output) =>
        {
            seen.Add(output.shape);
            return output;
        });
        using var _ = no_grad();
        using var together = model.call(both);
        hook.remove();
        Assert.Equal([new long[] { 2, 2, 16, 16 }], seen);
        using var first = model.call(astronaut);
        using var second = model.call(cat);
        AssertClose(TorchSharp.torch.cat([first, second]), together, "batch of two");
        // The face scores higher in the astronaut photo than anywhere in the cat's.
        Assert.True(together[0].max().item<float>() > together[1].max().item<float>());
        // The default layer's features, for the whole batch too.
        using var features = model.ForwardFeatures(both);
        Assert.Equal([2L, 2, 16, 16], features.shape);
        using var firstFeatures = model.ForwardFeatures(astronaut);
        AssertClose(firstFeatures, features.narrow(0, 0, 1), "features of the first image");
    }

    [Fact]
    public void PaddleOcr_direction_classifier_matches_onnx_runtime_on_upright_and_upside_down_text()
    {
        var path = Fixture("ch_ppocr_mobile_v2.0_cls_infer.onnx");
        using var model = OnnxModel.Load(path); // the sidecar: 48x192, BGR in [-1, 1], as PaddleOCR prepares it
        model.eval();
        Assert.Equal(2, model.NumClasses);
        using var upright = Photo(model, "samples/photos/text.png");
        using var flipped = upright.flip(2, 3);
        using var both = cat([upright, flipped]);
        using var graphInput = model.ToGraphInput(both);
        Assert.InRange(graphInput.min().item<float>(), -1.0001f, 0f);
        Assert.InRange(graphInput.max().item<float>(), 0f, 1.0001f);
        var expected = Ort(path, graphInput)["softmax_0.tmp_0"];
        using var _ = no_grad();
        using var probabilities = model.call(both);
        AssertClose(expected, probabilities, "softmax");
    }

    [Fact]
    public void MlNet_featurizer_pipeline_matches_onnx_runtime_running_both_graphs()
    {
        var path = Featurizer(Path.Combine("ResNet18Onnx", "ResNet18.onnx"));
        var preprocess = Featurizer(Path.Combine("ResNetPrepOnnx", "ResNetPreprocess.onnx"));
        // As ML.NET feeds it: RGB planes of raw 0..255 pixels, through the package's preprocessing graph.
        var options = new OnnxModelOptions { Range = [0, 255], Mean = [0, 0, 0], Std = [1, 1, 1], PreprocessGraph = preprocess };
        using var model = OnnxModel.Load(path, options);
        model.eval();
        Assert.Equal(512, model.NumClasses);
        Assert.Equal("ReLU393_Output_0", model.DefaultTargetLayer);
        Assert.StartsWith("preprocess/", model.LayerNames[0]);
        using var image = Photo(model, "samples/photos/coffee.png");
        using var raw = model.ToGraphInput(image);
        Assert.InRange(raw.max().item<float>(), 200f, 255.01f);
        var normalized = Ort(preprocess, raw)["PreprocessedInput"];
        var expected = Ort(path, normalized)["Pooling395_Output_0"].flatten(1);
        using var _ = no_grad();
        using var embedding = model.call(image);
        AssertClose(expected, embedding, "embedding");
        // Post-ReLU average pooling: every feature is non-negative and many are active.
        Assert.True(embedding.min().item<float>() >= 0);
        Assert.True(embedding.gt(0.1f).sum().item<long>() > 100);
    }
}
