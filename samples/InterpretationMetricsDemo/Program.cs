// The spec's interpretation_metrics_demo: quantitative evaluation of explanation quality. Faithfulness (deletion,
// insertion, ROAD, faithfulness correlation, infidelity), robustness (max- and avg-sensitivity), localization against
// the item's true mask, Integrated Gradients completeness, the randomization sanity check, and a methods x metrics
// comparison with a Markdown table and curve charts. Usage: dotnet run --project samples/InterpretationMetricsDemo [-- OUTPUT_DIR]
using AutoTimm.Imaging;
using AutoTimm.Interpretation;
using AutoTimm.Interpretation.Engine;
using AutoTimm.Interpretation.Evaluation;
using AutoTimm.Interpretation.Methods;
using AutoTimm.Interpretation.Metrics;
using AutoTimm.Models;
using AutoTimm.Samples;

var output = SampleFiles.Output("interpretation_metrics_demo", args);
using var model = ImageClassifier.LoadFromCheckpoint(BundledModels.CnnPath);
// Eight cluttered canvases with their item masks (assets/samples/canvases, written by `autotimm canvases`).
var samples = EvaluationSamples.FromFolder(model.Config, Path.GetDirectoryName(SampleFiles.Asset("samples/canvases/canvases.json"))!, 8);
var sample = samples[0];
// Every metric scores the very tensor that was explained: preprocess once, use it everywhere.
using var input = sample.Image.ToModelInput(model.Config.Preprocess, model.Device);
int label = sample.Label!.Value;

using var gradCam = new GradCam(model);
var heatmap = gradCam.Explain(input, label);
Console.WriteLine($"{model.Config.LabelOf(label)}: Grad-CAM at {heatmap.Layer}");

// --- Faithfulness ---
var (deletion, insertion) = DeletionInsertion.Compute(model, input, heatmap.Values, label);
Console.WriteLine($"deletion AUC {deletion.Auc:F3} (lower is better), insertion AUC {insertion.Auc:F3} (higher is better), {deletion.Steps} steps of {deletion.PixelsPerStep} px");
var road = Road.Compute(model, input, heatmap.Values, label);
Console.WriteLine($"ROAD: most relevant first {road.MostRelevantFirstMean:F3}, least relevant first {road.LeastRelevantFirstMean:F3}, combined {road.Combined:F3}");
var correlation = FaithfulnessCorrelation.Compute(model, input, heatmap.Values, label);
Console.WriteLine($"faithfulness correlation {correlation.Correlation.Value:F3} over {correlation.Options.Runs} subsets of {correlation.SubsetSize} px");

// --- Robustness: how far the map moves when the input moves by 0.02 ---
var sensitivity = Sensitivity.Compute(gradCam, input, label);
Console.WriteLine($"max-sensitivity {sensitivity.Max.Value:F4}, avg-sensitivity {sensitivity.Average.Value:F4} (r = {sensitivity.Options.Radius}, n = {sensitivity.Options.Samples})");

// --- Localization against the item's true mask ---
var scores = LocalizationMetrics.All(heatmap.Values, sample.Region!, tolerance: 15.0 * 64 / 224);
Console.WriteLine($"pointing game {scores.PointingGame.Value}, relevance mass {scores.MassInside.Value:F3}, rank accuracy {scores.RankAccuracy.Value:F3}, IoU {scores.Iou.Value:F3} (best {scores.BestIou.Value:F3} at {scores.BestThreshold})");

// --- Axioms: Integrated Gradients completeness shrinks with the steps; infidelity of its attributions ---
foreach (var steps in new[] { 8, 32, 128 })
{
    using var ig = new IntegratedGradients(model, IgBaseline.Black, steps);
    var completeness = Completeness.Compute(ig, input, label);
    Console.WriteLine($"IG {steps,3} steps: |sum(attr) - (f(x) - f(x'))| = {completeness.Absolute:E2} ({completeness.Relative.Value:P2} of {completeness.OutputDifference:F3})");
}
using (var ig = new IntegratedGradients(model, IgBaseline.Black, 32))
{
    var attributions = ig.Explain(input, label).Attributions!;
    var infidelity = Infidelity.Compute(model, input, attributions, label, new InfidelityOptions { Normalize = true });
    Console.WriteLine($"IG infidelity {infidelity.Value.Value:E3} (normalized, beta {infidelity.Beta:G3})");
}

// --- Sanity check: randomize the layers from the top; a faithful map decorrelates (weights are restored afterwards) ---
using (var batch = TorchSharp.torch.cat(samples.Select(s => s.Image.ToModelInput(model.Config.Preprocess, model.Device)).ToArray(), 0))
{
    var randomization = ParameterRandomization.Compute(gradCam, batch, samples.Select(s => s.Label!.Value).ToList());
    foreach (var step in randomization.Steps.Where((_, i) => i % 4 == 0 || i == randomization.Steps.Count - 1))
        Console.WriteLine($"  randomized down to {step.Layer,-28} Spearman {step.MeanCorrelation:F3}");
}

// --- Compare methods on all eight canvases: JSON, Markdown table and charts (IG with 16 steps keeps this quick) ---
var comparison = Explain.EvaluateAll(model, samples, ["gradcam", "gradcampp", "integrated_gradients", "random", "center"],
    new EvaluationOptions
    {
        Metrics = ["deletion", "insertion", "road", "localization", "randomization"],
        RandomizationImages = 8,
        MethodOptions = ExplanationOptions.Default.With(new IntegratedGradientsOptions { Steps = 16 }),
    });
Console.WriteLine(comparison.ToMarkdown());
foreach (var path in comparison.Save(output)) Console.WriteLine($"wrote {path}");
