using AutoTimm.Imaging;
using AutoTimm.Interpretation.Metrics;
using AutoTimm.Models;
using AutoTimm.Models.Onnx;
using AutoTimm.Tests.Fixtures;

namespace AutoTimm.Interpretation.Tests.Models;

/// <summary>
/// Explanations of an ONNX export equal those of the same weights loaded natively: the import is faithful for
/// explanations, not only for outputs (the bundled classifier, exported by tools/onnx/make_onnx_fixtures.py).
/// </summary>
public sealed class OnnxExplanationTests
{
    [Theory]
    [InlineData("gradcam", 13)]
    [InlineData("gradcampp", 17)]
    [InlineData("integrated_gradients", 13)]
    public void Explanations_of_the_export_equal_the_native_models(string method, int opset)
    {
        using var native = ImageClassifier.LoadFromCheckpoint(BundledModels.CnnPath);
        using var onnx = OnnxModel.Load(FixturePaths.Onnx($"fashion_cnn_opset{opset}.onnx"), OnnxModelOptions.From(native.Config.Preprocess, native.Config.ClassNames));
        var canvas = Path.Combine(Path.GetDirectoryName(BundledModels.CnnPath)!, "..", "samples", "canvases", "canvas_test_00003.png");
        var image = ImageInput.FromFile(File.Exists(canvas) ? canvas : FindCanvas());
        var fromNative = Explain.Prediction(native, image, method, cache: new AutoTimm.Interpretation.Batch.ExplanationCache()).Heatmap!;
        var fromOnnx = Explain.Prediction(onnx, image, method, cache: new AutoTimm.Interpretation.Batch.ExplanationCache()).Heatmap!;
        Assert.Equal(fromNative.TargetClass, fromOnnx.TargetClass);
        if (method != "integrated_gradients")
        {
            Assert.Equal("/layer4/layer4.0/relu_1/Relu_output_0", fromOnnx.Layer);
            Assert.Equal(fromNative.NativeResolution, fromOnnx.NativeResolution);
        }
        var r = Statistics.Pearson(fromNative.Values.Select(v => (double)v).ToArray(), fromOnnx.Values.Select(v => (double)v).ToArray());
        Assert.True(r.Value >= 0.999, $"{method}: Pearson {r.Value}");
    }

    [Theory]
    [InlineData("gradcam")]
    [InlineData("attention_rollout")]
    [InlineData("attention_flow")]
    [InlineData("transformer_attribution")]
    public void Attention_and_token_methods_explain_an_imported_transformer_on_its_patch_grid(string method)
    {
        // A toy torchvision ViT (32 px, 8 px patches): its blocks' Softmax outputs are found as attention, its tokens
        // map to a 4x4 grid, and Grad-CAM reads the residual stream entering the last block.
        using var vit = OnnxModel.Load(FixturePaths.Onnx("tiny_vit_opset17.onnx"));
        var canvas = ImageInput.FromFile(FindCanvas());
        var heatmap = Explain.Prediction(vit, canvas, method, cache: new AutoTimm.Interpretation.Batch.ExplanationCache()).Heatmap!;
        Assert.Equal((4, 4), heatmap.NativeResolution);
        if (method == "gradcam") Assert.Equal("/encoder/layers/encoder_layer_0/Add_1_output_0", heatmap.Layer);
        Assert.All(heatmap.Values, v => Assert.True(float.IsFinite(v)));
        Assert.True(heatmap.Values.Max() > heatmap.Values.Min(), $"{method}: a constant map");
    }

    [Theory]
    [InlineData("gradcam")]
    [InlineData("integrated_gradients")]
    public void Segmentation_explanations_of_the_exported_segmenter_equal_the_native_ones(string method)
    {
        // The bundled DeepLabV3 exported by torch.onnx.export: its ASPP pooling and final upsampling are Resize nodes.
        using var native = SemanticSegmentor.LoadFromCheckpoint(BundledModels.SegmenterPath);
        using var onnx = OnnxSegmentor.Load(FixturePaths.Onnx("fashion_deeplabv3_opset17.onnx"),
            OnnxModelOptions.From(native.Config.Preprocess, native.Config.ClassNames) with { Task = ModelTask.SemanticSegmentor });
        Assert.Equal(11, onnx.NumClasses);
        // The features the head reads: the ASPP head's last ReLU, below the output resolution.
        Assert.Equal("/classifier/classifier.3/Relu_output_0", onnx.DefaultTargetLayer);
        var multi = Path.Combine(Path.GetDirectoryName(FindCanvas())!, "..", "multi", "multi_test_00000.png");
        var image = ImageInput.FromFile(multi);
        var fromNative = Explain.Segmentation(native, image, method: method, targetLayer: "backbone.layer4");
        var fromOnnx = Explain.Segmentation(onnx, image, method: method, targetLayer: "/backbone/layer4/layer4.0/relu_1/Relu_output_0");
        Assert.Equal(fromNative.Mask, fromOnnx.Mask);
        Assert.Equal(fromNative.Classes.Select(c => (c.Class, c.Pixels)), fromOnnx.Classes.Select(c => (c.Class, c.Pixels)));
        Assert.NotEmpty(fromNative.Classes);
        for (int i = 0; i < fromNative.Classes.Count; i++)
        {
            var (a, b) = (fromNative.Classes[i].Heatmap, fromOnnx.Classes[i].Heatmap);
            Assert.Equal(a.NativeResolution, b.NativeResolution);
            var r = Statistics.Pearson(a.Values.Select(v => (double)v).ToArray(), b.Values.Select(v => (double)v).ToArray());
            Assert.True(r.Value >= 0.999, $"{method}, class {fromNative.Classes[i].Class}: Pearson {r.Value}");
        }
    }

    [Fact]
    public void Grad_cam_of_blazefaces_best_anchor_points_at_the_astronauts_face()
    {
        // A TensorFlow graph (NHWC, [-1, 1], from its sidecar) with real weights: the best face anchor's score.
        using var face = OnnxModel.Load(FixturePaths.Onnx(Path.Combine("third_party", "face_detection_front_128x128_barracuda.onnx")));
        var photo = ImageInput.FromFile(Path.Combine(Path.GetDirectoryName(FindCanvas())!, "..", "photos", "astronaut.png"));
        var heatmap = Explain.Prediction(face, photo, "gradcam", cache: new AutoTimm.Interpretation.Batch.ExplanationCache()).Heatmap!;
        // The head's [N, C, H, W] map, not a transposed NHWC tensor of the same rank.
        Assert.Equal("StatefulPartitionedCall/functional_1/conv2d_17/BiasAdd:0", heatmap.Layer);
        Assert.Equal((16, 16), heatmap.NativeResolution);
        int peak = Array.IndexOf(heatmap.Values, heatmap.Values.Max());
        double y = (peak / heatmap.Width + 0.5) / heatmap.Height, x = (peak % heatmap.Width + 0.5) / heatmap.Width;
        // Eileen Collins' face spans about x 0.35..0.6, y 0.1..0.4 of the photo.
        Assert.InRange(x, 0.35, 0.6);
        Assert.InRange(y, 0.1, 0.4);
    }

    private static string FindCanvas()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "assets", "samples", "canvases", "canvas_test_00003.png");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("assets/samples/canvases/canvas_test_00003.png");
    }
}
