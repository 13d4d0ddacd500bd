using AutoTimm.Imaging;
using AutoTimm.Models;
using AutoTimm.Models.Onnx;
using AutoTimm.Tests.Fixtures;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace AutoTimm.Tests.Onnx;

/// <summary>
/// An exported segmenter (the bundled DeepLabV3, tools/onnx/make_onnx_fixtures.py) loaded as a segmenter: its
/// per-pixel logits against PyTorch's, ONNX Runtime's and the native model's; refusals of graphs that are not one.
/// </summary>
public sealed class OnnxSegmentorTests
{
    private static readonly string Export = FixturePaths.Onnx("fashion_deeplabv3_opset17.onnx");

    private static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        double scale = expected.abs().max().item<float>(), worst = (expected - actual).abs().max().item<float>();
        Assert.True(worst <= 1e-4 * scale + 1e-6, $"{what}: max|d| {worst} against max|ref| {scale}");
    }

    [Fact]
    public void Logits_match_pytorch_onnx_runtime_and_the_native_segmenter()
    {
        using var native = SemanticSegmentor.LoadFromCheckpoint(BundledModels.SegmenterPath);
        using var onnx = OnnxSegmentor.Load(Export, OnnxModelOptions.From(native.Config.Preprocess, native.Config.ClassNames));
        native.eval();
        onnx.eval();
        Assert.Equal(ModelTask.SemanticSegmentor, onnx.Config.Task);
        Assert.Equal(native.Config.ClassNames, onnx.Config.ClassNames);
        using var input = Npy.Load(FixturePaths.Onnx("fashion_deeplabv3_input.npy"));
        using var pytorch = Npy.Load(FixturePaths.Onnx("fashion_deeplabv3_logits.npy"));
        using var _ = no_grad();
        using var logits = onnx.call(input);
        Assert.Equal(new long[] { 2, 11, 96, 96 }, logits.shape);
        AssertClose(pytorch, logits, "PyTorch");
        using var fromNative = native.call(input);
        AssertClose(fromNative, logits, "native segmenter");
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL };
        using var session = new InferenceSession(Export, options);
        var feed = new DenseTensor<float>(input.data<float>().ToArray(), input.shape.Select(d => (int)d).ToArray());
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("input", feed)]);
        using var ort = tensor(results.First().AsTensor<float>().ToArray(), logits.shape);
        AssertClose(ort, logits, "ONNX Runtime");
        Assert.Equal(native.Segment(input).data<long>().ToArray(), onnx.Segment(input).data<long>().ToArray());
    }

    [Fact]
    public void A_classifier_graph_or_wrong_class_names_are_refused_with_the_reason()
    {
        var classifier = Assert.Throws<NotSupportedException>(() => OnnxSegmentor.Load(FixturePaths.Onnx("fashion_cnn_opset17.onnx")));
        Assert.Contains("ONNX graph 'fashion_cnn_opset17' outputs 'logits' shaped [1, 10]; a segmenter outputs per-pixel logits [N, K, H, W] with K >= 2", classifier.Message);
        var names = Assert.Throws<ArgumentException>(() => OnnxSegmentor.Load(Export, new OnnxModelOptions { ClassNames = ["background", "object"] }));
        Assert.Contains("2 class names given for ONNX segmenter 'fashion_deeplabv3_opset17', whose output has 11 classes", names.Message);
    }
}
