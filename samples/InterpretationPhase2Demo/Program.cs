// The spec's interpretation_phase2_demo: the high-level API (explain_prediction, compare_methods, visualize_batch),
// custom target layers, batch explanation, task-specific adapters (detection, segmentation) and production use. Usage: dotnet run --project samples/InterpretationPhase2Demo [-- OUTPUT_DIR]
using AutoTimm.Imaging;
using AutoTimm.Interpretation;
using AutoTimm.Interpretation.Engine;
using AutoTimm.Interpretation.Methods;
using AutoTimm.Interpretation.Visualization;
using AutoTimm.Models;
using AutoTimm.Samples;

var output = SampleFiles.Output("interpretation_phase2_demo", args);
using var model = ImageClassifier.LoadFromCheckpoint(BundledModels.CnnPath);
using var vit = ImageClassifier.LoadFromCheckpoint(BundledModels.VitPath);
var images = Enumerable.Range(0, 8)
    .Select(i => ImageInput.FromFile(SampleFiles.Asset($"samples/canvases/canvas_test_{i:D5}.png")))
    .ToList();
var image = images[0];

// --- Explain a single prediction with every option spelled out ---
var result = Explain.Prediction(model, image, method: "gradcam", targetClass: null, targetLayer: null, colormap: "viridis",
    alpha: 0.4, savePath: Path.Combine(output, "explanation.png"), returnHeatmap: true);
Console.WriteLine($"{result.PredictedLabel} ({((ClassPrediction)result.Prediction).Confidence:P1}) explained at {result.Layer} in {result.ElapsedMilliseconds:F1} ms");

// --- Compare methods (GradCAM and GradCAM++ share one forward/backward pass) ---
var comparison = Explain.CompareMethods(model, image, ["gradcam", "gradcam++", "integrated_gradients"],
    savePath: Path.Combine(output, "comparison.png"));
foreach (var (method, explanation) in comparison.Results)
    Console.WriteLine($"  {method}: {explanation.ElapsedMilliseconds:F1} ms");
// On the ViT every method applies; on the CNN the attention methods would land in comparison.Errors, with the reason.
var vitComparison = Explain.CompareMethods(vit, image, ["gradcam", "attention_rollout", "attention_flow", "transformer_attribution"],
    layout: FigureLayout.Grid, savePath: Path.Combine(output, "comparison_vit.png"));
foreach (var (method, why) in vitComparison.Errors) Console.WriteLine($"  {method} did not run: {why}");

// --- Visualize a batch into a folder ---
var batch = Explain.VisualizeBatch(model, images, method: "gradcam", outputDir: Path.Combine(output, "explanations"));
Console.WriteLine($"batch: {batch.Count} figures, e.g. {batch[0].SavePath}");

// --- Custom target layer: by name, and by module reference ---
using (var byName = new GradCam(model, targetLayer: "backbone.layer3.0.conv2"))
    Console.WriteLine($"layer3.0.conv2 map: {byName.Explain(image).NativeResolution}");
using (var byReference = new GradCam(model, targetLayer: ModuleLookup.Resolve(model, "layer3")))
    Console.WriteLine($"module reference resolved to '{byReference.TargetLayer}'");

// --- Production: GradCAM over a batch, one forward/backward per chunk of 32 ---
using (var explainer = new GradCam(model))
{
    var heatmaps = explainer.ExplainBatch(images, batchSize: 32);
    Console.WriteLine($"explained {heatmaps.Count} images; predicted classes: {string.Join(", ", heatmaps.Select(h => h.Prediction.TopClass))}");
}

// --- Task-specific adapters: explain_detection and explain_segmentation on the bundled detector and segmenter ---
var scene = ImageInput.FromFile(SampleFiles.Asset("samples/multi/multi_test_00000.png"));
using (var detector = ObjectDetector.LoadFromCheckpoint(BundledModels.DetectorPath))
{
    // One explanation per detection, each from its own box score; all boxes share one pass.
    var detections = Explain.Detection(detector, scene, method: "gradcam", detectionThreshold: 0.5f,
        savePath: Path.Combine(output, "detection_explanation.png"), saveDir: Path.Combine(output, "detection"));
    foreach (var e in detections.Explained)
        Console.WriteLine($"  box {e.Index}: {detector.Config.LabelOf(e.Detection.Label)} {e.Detection.Score:P0} -> {e.FigurePath}");
    if (detections.Message is { } nothing) Console.WriteLine($"  {nothing}");
}
using (var segmentor = SemanticSegmentor.LoadFromCheckpoint(BundledModels.SegmenterPath))
{
    var segmentation = Explain.Segmentation(segmentor, scene, targetClass: null, method: "gradcam", showUncertainty: true,
        uncertaintyMethod: "entropy", allClasses: true, savePath: Path.Combine(output, "segmentation_explanation.png"),
        saveDir: Path.Combine(output, "segmentation"));
    Console.WriteLine($"  segmentation: {segmentation.Prediction.Headline(segmentor.Config.LabelOf)}");
    foreach (var c in segmentation.Classes) Console.WriteLine($"  class {segmentor.Config.LabelOf(c.Class)}: {c.Pixels} px -> {c.FigurePath}");
}

// --- Memory management: large images are reduced to the model's input size before explanation ---
var photo = ImageInput.FromFile(SampleFiles.Asset("samples/photos/astronaut.png"));
var small = Explain.Prediction(model, photo, savePath: Path.Combine(output, "photo_resized.png"));
Console.WriteLine($"a {ImageIO.Load(SampleFiles.Asset("samples/photos/astronaut.png")).Width} px photo explained at {model.Config.Preprocess.Width} px: {small.PredictedLabel}");
Console.WriteLine($"figures written to {output}");
