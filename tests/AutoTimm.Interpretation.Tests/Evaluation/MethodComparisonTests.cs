using System.Text.Json;
using AutoTimm.Data;
using AutoTimm.Imaging;
using AutoTimm.Interpretation.Evaluation;
using AutoTimm.Interpretation.Metrics;
using AutoTimm.Interpretation.Tests.Models;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Tests.Evaluation;

/// <summary>The methods x metrics comparison on a tiny model: values equal the single metrics, any batch size, reports.</summary>
public sealed class MethodComparisonTests : IDisposable
{
    private readonly TinyConvNet _model = new(seed: 5);
    private readonly Tensor _images = randn(3, 3, 8, 8, generator: new TorchSharp.torch.Generator(7));

    public void Dispose()
    {
        _model.Dispose();
        _images.Dispose();
    }

    private List<EvaluationSample> Samples() =>
    [
        new(ImageInput.FromTensor(_images[0]), 0, SaliencyRegion.FromBox(new BoundingBox(0, 0, 4, 4), 8, 8), "a"),
        new(ImageInput.FromTensor(_images[1]), 2, SaliencyRegion.FromBox(new BoundingBox(4, 4, 8, 8), 8, 8), "b"),
        new(ImageInput.FromTensor(_images[2]), null, null, "c"),
    ];

    private static EvaluationOptions Options(int batchSize) => new()
    {
        Metrics = ["deletion", "insertion", "road", "localization", "randomization", "sensitivity"],
        BatchSize = batchSize,
        Perturbation = new PerturbationOptions { PixelsPerStep = 4 },
        Road = new RoadOptions { Percentiles = [30, 70] },
        Sensitivity = new SensitivityOptions { Samples = 3, Radius = 0.1 },
        BootstrapResamples = 200,
    };

    [Fact]
    public void Should_average_the_single_metrics_over_the_images_whatever_the_batch_size()
    {
        var reports = new List<WorkProgress>();
        var one = Explain.EvaluateAll(_model, Samples(), ["gradcam", "random"], Options(1), new Progress(reports));
        var all = Explain.EvaluateAll(_model, Samples(), ["gradcam", "random"], Options(3));
        foreach (var method in new[] { 0, 1 })
            foreach (var (score, summary) in one.Methods[method].Scores)
                Assert.Equal(summary.Mean!.Value, all.Methods[method].Scores[score].Mean!.Value, 1e-5);

        // The deletion AUC mean is the mean of the single-image metric on the explained tensors.
        using var gradCam = new AutoTimm.Interpretation.Methods.GradCam(_model);
        var expected = new[] { 0, 1, 2 }.Select(i =>
        {
            var heatmap = gradCam.Explain(_images[i], i == 0 ? 0 : i == 1 ? 2 : null);
            return DeletionInsertion.Compute(_model, _images[i], heatmap.Values, heatmap.TargetClass!.Value, new PerturbationOptions { PixelsPerStep = 4 }).Deletion.Auc;
        }).Average();
        Assert.Equal(expected, one.Methods[0].Scores["deletion_auc"].Mean!.Value, 6);
        Assert.Equal(17, one.Methods[0].DeletionCurve!.Count);   // 64 px in steps of 4, plus the start

        // Localization is undefined for the image without a region, with the reason; the others count.
        var pointing = one.Methods[0].Scores["pointing_game"];
        Assert.Equal((2, 1), (pointing.Count, pointing.Undefined));
        Assert.Contains("no ground-truth region", Assert.Single(pointing.Reasons), StringComparison.Ordinal);
        var mean = one.Methods[0].Scores["relevance_mass"];
        Assert.InRange(mean.Mean!.Value, mean.CiLow!.Value, mean.CiHigh!.Value);
        // A model-independent map keeps its ranking when the weights are randomized: Spearman 1.
        Assert.Equal(1, one.Methods[1].Scores["randomization_final"].Mean!.Value, 12);
        Assert.Equal(["fc", "conv"], one.Methods[0].RandomizationLayers);
        Assert.Contains(reports, r => r.Stage == "Grad-CAM" && r.Finished);
    }

    private sealed class Progress(List<WorkProgress> reports) : IProgress<WorkProgress>
    {
        public void Report(WorkProgress value) => reports.Add(value);
    }

    [Fact]
    public void Should_report_a_method_that_does_not_apply_and_write_json_markdown_and_charts()
    {
        var comparison = Explain.EvaluateAll(_model, Samples(), ["gradcam", "attention_rollout"], Options(2) with { Metrics = ["deletion", "insertion", "localization"] });
        Assert.Contains("transformer", comparison.Methods[1].Error, StringComparison.OrdinalIgnoreCase);
        var markdown = comparison.ToMarkdown();
        Assert.Contains("| Grad-CAM |", markdown, StringComparison.Ordinal);
        Assert.Contains("deletion_auc ↓", markdown, StringComparison.Ordinal);
        Assert.Contains("not evaluated", markdown, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(comparison.ToJson());
        var gradCam = json.RootElement.GetProperty("methods")[0];
        Assert.Equal("gradcam", gradCam.GetProperty("method").GetString());
        Assert.Equal(comparison.Methods[0].Scores["insertion_auc"].Mean!.Value, gradCam.GetProperty("scores").GetProperty("insertion_auc").GetProperty("mean").GetDouble(), 12);
        Assert.True(json.RootElement.GetProperty("options").GetProperty("perturbation").GetProperty("pixels_per_step").GetInt32() == 4);

        var dir = Path.Combine(Path.GetTempPath(), $"comparison-{Guid.NewGuid():N}");
        try
        {
            var written = comparison.Save(dir);
            Assert.Equal(["comparison.json", "comparison.md", "deletion_curves.png", "insertion_curves.png"], written.Select(Path.GetFileName));
            using var chart = SkiaSharp.SKBitmap.Decode(Path.Combine(dir, "deletion_curves.png"));
            Assert.Equal((900, 560), (chart.Width, chart.Height));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Should_refuse_a_label_outside_the_classes_a_region_of_another_size_and_an_unknown_metric()
    {
        var bad = Samples();
        bad[0] = bad[0] with { Label = 3 };
        Assert.Contains("label 3", Assert.Throws<ArgumentOutOfRangeException>(() => Explain.EvaluateAll(_model, bad, ["gradcam"])).Message, StringComparison.Ordinal);
        bad = Samples();
        bad[1] = bad[1] with { Region = SaliencyRegion.FromBox(new BoundingBox(0, 0, 2, 2), 4, 4) };
        Assert.Contains("4x4", Assert.Throws<ArgumentException>(() => Explain.EvaluateAll(_model, bad, ["gradcam"])).Message, StringComparison.Ordinal);
        Assert.Contains("known:", Assert.Throws<ArgumentException>(() => Explain.EvaluateAll(_model, Samples(), ["gradcam"], new EvaluationOptions { Metrics = ["speed"] })).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Explain.EvaluateAll(_model, [], ["gradcam"]));
    }
}
