// The spec's interpretation_phase3_demo: training integration (explanations and feature statistics logged while a
// model trains), feature visualization (feature maps, statistics, layer comparison, top channels, receptive fields)
// and an interactive HTML report of several images.
// The training part reads Fashion-MNIST (Debian package dataset-fashion-mnist; scripts/install-deps.sh installs it).
// Usage: dotnet run --project samples/InterpretationPhase3Demo [-- OUTPUT_DIR]
using AutoTimm.Imaging;
using AutoTimm.Interpretation;
using AutoTimm.Interpretation.Features;
using AutoTimm.Interpretation.Reports;
using AutoTimm.Interpretation.Training;
using AutoTimm.Models;
using AutoTimm.Samples;
using AutoTimm.Training;

var output = SampleFiles.Output("interpretation_phase3_demo", args);

// --- Training integration: explain 8 validation images every epoch and monitor three layers ---
var run = new TrainingRun
{
    Arch = "resnet10_tiny", TrainSize = 2048, ValSize = 256, Epochs = 2, BatchSize = 64, OutputDir = Path.Combine(output, "training"),
    Logger = "tensorboard,csv",
    Callbacks = validation =>
    {
        var first = validation.Batches(0).First();
        var sampleImages = Enumerable.Range(0, 8).Select(i => ImageInput.FromTensor(first.Images[i].clone())).ToList();
        var labels = Enumerable.Range(0, 8).Select(i => (int?)first.Targets[i].item<long>()).ToList();
        first.Dispose();
        return
        [
            new InterpretationCallback(sampleImages, method: "gradcam", logEveryNEpochs: 1, numSamples: 8, colormap: "viridis", labels: labels),
            new FeatureMonitorCallback(["layer2", "layer3", "layer4"], logEveryNEpochs: 1, numBatches: 2),
        ];
    },
};
var trained = ClassifierTraining.Run(run);
Console.WriteLine($"trained {trained.ModelPath}: test accuracy {trained.Test.Accuracy:P1}; explanations and feature statistics in {run.OutputDir}/tensorboard and {run.OutputDir}/artifacts");
using var model = ImageClassifier.LoadFromCheckpoint(BundledModels.CnnPath);
var image = ImageInput.FromFile(SampleFiles.Asset("samples/canvases/canvas_test_00001.png"));
var viz = new FeatureVisualizer(model);

// --- Feature maps: the 16 most active channels of layer3 ---
var shown = viz.SaveFeatureMaps(image, "layer3", Path.Combine(output, "features.png"), numFeatures: 16, order: FeatureOrder.Activation);
Console.WriteLine($"feature maps of layer3, channels {string.Join(", ", shown)}");

// --- Feature statistics ---
var stats = viz.Statistics(image, "layer4");
Console.WriteLine($"Mean activation: {stats.Mean:F3}");
Console.WriteLine($"Sparsity: {stats.Sparsity:P2}");
Console.WriteLine($"Active channels: {stats.ActiveChannels} of {stats.Channels}, maps {stats.Height}x{stats.Width}");

// --- Compare layers (one forward for all of them), as a chart and, for print, as SVG ---
var layerStats = viz.CompareLayers(image, ["layer2", "layer3", "layer4"]);
FeatureVisualizer.SaveLayerComparison(layerStats, Path.Combine(output, "layer_comparison.png"));
FeatureVisualizer.SaveLayerComparison(layerStats, Path.Combine(output, "layer_comparison.svg"));
foreach (var s in layerStats) Console.WriteLine($"  {s.Layer}: mean {s.Mean:F3}, std {s.Std:F3}, sparsity {s.Sparsity:P1}");

// --- Most active channels ---
var top = viz.TopActivatingChannels(image, "layer4", topK: 10);
Console.WriteLine($"top channels of layer4: {string.Join(", ", top.Select(c => $"{c.Channel} ({c.Mean:F2})"))}");

// --- Receptive field of one channel, by input gradient and by occlusion ---
var channel = viz.TopActivatingChannels(image, "layer3", topK: 1)[0].Channel;
var sensitivity = viz.ReceptiveField(image, "layer3", channel);
FeatureVisualizer.SaveReceptiveField(sensitivity, Path.Combine(output, "receptive_field.png"));
var occlusion = viz.ReceptiveField(image, "layer3", channel, SensitivityMethod.Occlusion);
FeatureVisualizer.SaveReceptiveField(occlusion, Path.Combine(output, "receptive_field_occlusion.png"));
Console.WriteLine($"layer3 channel {channel} looks most at (y, x) = {sensitivity.Peak} by gradient, {occlusion.Peak} by occlusion");

// --- Interactive report: four canvases, three methods with deletion/insertion curves, one offline HTML page ---
var pages = new[] { 0, 1, 3, 5 }.Select(i => Interpretation.Run(new InterpretationRequest
{
    Model = model,
    Image = ImageInput.FromFile(SampleFiles.Asset($"samples/canvases/canvas_test_{i:00000}.png")),
    Methods = ["gradcam", "gradcampp", "smoothgrad"],
    OutputDir = output,
    WriteFigures = false,
    Metrics = true,
}).Page).ToList();
var report = Path.Combine(output, "report.html");
HtmlReport.Write(report, pages, new ReportOptions { Title = "interpretation_phase3_demo" });
Console.WriteLine($"interactive report of {pages.Count} images: {report} ({new FileInfo(report).Length / 1e6:F1} MB)");
Console.WriteLine($"figures in {output}");
