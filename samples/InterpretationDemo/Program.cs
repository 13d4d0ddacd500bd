// The spec's interpretation_demo: Quick Start, every interpretation method, and custom visualization,
// on the bundled CNN and ViT. Usage: dotnet run --project samples/InterpretationDemo [-- OUTPUT_DIR]
using AutoTimm.Imaging;
using AutoTimm.Interpretation;
using AutoTimm.Interpretation.Engine;
using AutoTimm.Interpretation.Methods;
using AutoTimm.Interpretation.Visualization;
using AutoTimm.Models;
using AutoTimm.Samples;

var output = SampleFiles.Output("interpretation_demo", args);

// --- Quick Start: load a model, load an image, explain the prediction ---
using var model = ImageClassifier.LoadFromCheckpoint(BundledModels.CnnPath);
var image = ImageInput.FromFile(SampleFiles.Asset("samples/canvases/canvas_test_00001.png"));
var result = Explain.Prediction(model, image, method: "gradcam", savePath: Path.Combine(output, "explanation.png"));
var prediction = (ClassPrediction)result.Prediction;
Console.WriteLine($"Predicted class: {prediction.PredictedClass} ({result.PredictedLabel}, {prediction.Confidence:P1})");

// --- GradCAM on a named layer, for a chosen class ---
using (var explainer = new GradCam(model, targetLayer: "backbone.layer4"))
{
    var heatmap = explainer.Explain(image, targetClass: 5);
    Console.WriteLine($"GradCAM for class 5 ({model.Config.LabelOf(5)}) at {heatmap.Layer}: {heatmap.NativeResolution} map");
}

// --- GradCAM++ ---
using (var explainer = new GradCamPlusPlus(model, targetLayer: "backbone.layer4"))
{
    var heatmap = explainer.Explain(image);
    ExplanationFigure.Save(image.ToDisplayImage(model.Config.Preprocess), heatmap, Path.Combine(output, "gradcampp.png"),
        new FigureOptions { ClassNames = model.Config.ClassNames });
}

// --- Integrated Gradients: black baseline, 50 steps ---
using (var explainer = new IntegratedGradients(model, baseline: "black", steps: 50))
{
    var heatmap = explainer.Explain(image, targetClass: prediction.PredictedClass);
    Console.WriteLine($"Integrated Gradients completeness error: {heatmap.ConvergenceDelta:E2}");
}

// --- SmoothGrad around GradCAM ---
using (var smooth = new SmoothGrad(new GradCam(model), noiseLevel: 0.15, numSamples: 50))
{
    var heatmap = smooth.Explain(image);
    ExplanationFigure.Save(image.ToDisplayImage(model.Config.Preprocess), heatmap, Path.Combine(output, "smoothgrad.png"),
        new FigureOptions { ClassNames = model.Config.ClassNames });
}

// --- Attention visualization on the Vision Transformer ---
using var vit = ImageClassifier.LoadFromCheckpoint(BundledModels.VitPath);
using (var rollout = new AttentionRollout(vit, headFusion: "mean"))
{
    var attentionMap = rollout.Explain(image);
    ExplanationFigure.Save(image.ToDisplayImage(vit.Config.Preprocess), attentionMap, Path.Combine(output, "attention_rollout.png"),
        new FigureOptions { ClassNames = vit.Config.ClassNames });
}
using (var flow = new AttentionFlow(vit, targetPatch: 0))
{
    var flowMap = flow.Explain(image);
    ExplanationFigure.Save(image.ToDisplayImage(vit.Config.Preprocess), flowMap, Path.Combine(output, "attention_flow.png"),
        new FigureOptions { ClassNames = vit.Config.ClassNames });
}

// --- Customize visualization: colormap and overlay ---
using (var explainer = new GradCam(model))
{
    var heatmap = explainer.Explain(image);
    var colored = Colormaps.Apply(heatmap, colormap: "hot");
    ImageIO.SavePng(colored.Resize(256, 256, ResizeInterpolation.Nearest), Path.Combine(output, "heatmap_hot.png"));
    var overlaid = Overlay.Heatmap(image.ToDisplayImage(model.Config.Preprocess), heatmap, alpha: 0.5, colormap: "plasma", resizeHeatmap: true);
    ImageIO.SavePng(overlaid.Resize(256, 256, ResizeInterpolation.Nearest), Path.Combine(output, "overlay_plasma.png"));
}
Console.WriteLine($"figures written to {output}");
