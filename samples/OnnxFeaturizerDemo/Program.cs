// Explains the ONNX model a .NET team actually ships: ML.NET's ResNet18 ImageNet featurizer (NuGet package
// Microsoft.ML.DnnImageFeaturizer.ResNet18, real trained weights), run exactly as ML.NET runs it: raw RGB pixels
// 0..255 through the package's own preprocessing graph (BGR, minus a mean image), then the network. Its output is a
// 512-feature embedding, not classes, so the targets are the embedding's norm and its most active feature.
// Usage: dotnet run --project samples/OnnxFeaturizerDemo [-- OUTPUT_DIR]
using AutoTimm.Imaging;
using AutoTimm.Interpretation;
using AutoTimm.Interpretation.Engine;
using AutoTimm.Interpretation.Targets;
using AutoTimm.Interpretation.Visualization;
using AutoTimm.Models.Onnx;
using AutoTimm.Samples;
using static TorchSharp.torch;

var output = SampleFiles.Output("onnx_featurizer_demo", args);
var models = Path.Combine(AppContext.BaseDirectory, "DnnImageModels");

// The same description as a sidecar would give (ResNet18.onnx.json beside the model):
// { "range": [0, 255], "mean": [0, 0, 0], "std": [1, 1, 1], "preprocessGraph": "../ResNetPrepOnnx/ResNetPreprocess.onnx" }
var options = new OnnxModelOptions
{
    Range = [0, 255],
    Mean = [0, 0, 0],
    Std = [1, 1, 1],
    PreprocessGraph = Path.Combine(models, "ResNetPrepOnnx", "ResNetPreprocess.onnx"),
};
using var model = OnnxModel.Load(Path.Combine(models, "ResNet18Onnx", "ResNet18.onnx"), options);
model.eval();
Console.WriteLine($"{model.Config.Arch}: opset {model.Opset}, {model.LayerNames.Count} layers, {model.NumClasses} features, " +
    $"operators {string.Join(" ", model.Operators)}; Grad-CAM reads {model.DefaultTargetLayer}");

// Softmax percentages mean nothing for features, so the figures get their own titles.
using var gradCam = MethodRegistry.Create("gradcam", model);
using var integrated = MethodRegistry.Create("integrated_gradients", model);
foreach (var name in new[] { "astronaut", "chelsea", "coffee" })
{
    var image = ImageInput.FromFile(SampleFiles.Asset($"samples/photos/{name}.png"));
    var display = image.ToDisplayImage(model.Config.Preprocess);
    int feature;
    float norm, strongest;
    using (no_grad())
    using (var input = image.ToModelInput(model.Config.Preprocess))
    using (var embedding = model.call(input))
    {
        feature = (int)embedding.argmax().item<long>();
        norm = embedding.norm().item<float>();
        strongest = embedding.max().item<float>();
    }
    var clock = System.Diagnostics.Stopwatch.StartNew();
    var whole = gradCam.Explain(image, new OutputNormTarget());
    double wholeMs = clock.Elapsed.TotalMilliseconds;
    var single = gradCam.Explain(image, new ClassTarget(feature));
    var pixels = integrated.Explain(image, new OutputNormTarget());
    void Save(Heatmap heatmap, string what, string file) => ExplanationFigure.Save(display, heatmap, Path.Combine(output, file),
        new FigureOptions { Title = $"ResNet18 featurizer · {what} · {MethodRegistry.DisplayName(heatmap.Method)}{(heatmap.Layer is { Length: > 0 } layer ? $" @ {layer}" : "")}" });
    Save(whole, $"embedding norm {norm:F1}", $"{name}_norm_gradcam.png");
    Save(single, $"feature {feature} ({strongest:F2}, the strongest)", $"{name}_feature{feature}_gradcam.png");
    Save(pixels, $"embedding norm {norm:F1}", $"{name}_norm_ig.png");
    Console.WriteLine($"{name}: embedding norm {norm:F1}, strongest feature {feature} ({strongest:F2}); Grad-CAM of the norm took {wholeMs:F0} ms, " +
        $"Integrated Gradients' completeness error {pixels.ConvergenceDelta:E1}");
}
Console.WriteLine($"Figures in {Path.GetFullPath(output)}");
