using System.Text.Json;
using AutoTimm.Data;
using AutoTimm.Imaging;
using AutoTimm.Interpretation.Metrics;
using AutoTimm.Models;

namespace AutoTimm.Interpretation.Tests.Metrics;

/// <summary>Localization of detection and segmentation explanations on the bundled models and a sample scene with its ground truth.</summary>
public sealed class TaskLocalizationTests
{
    private static string Scene(string file)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "assets", "samples", "multi", file);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"assets/samples/multi/{file} not found", file);
    }

    /// <summary>The first scene's objects from canvases.json: (box, label).</summary>
    private static List<(BoundingBox Box, int Label)> GroundTruth()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Scene("canvases.json")));
        return json.RootElement.GetProperty("canvases")[0].GetProperty("objects").EnumerateArray().Select(o =>
        {
            var b = o.GetProperty("box").EnumerateArray().Select(v => v.GetSingle()).ToArray();
            return (new BoundingBox(b[0], b[1], b[2], b[3]), o.GetProperty("label").GetInt32());
        }).ToList();
    }

    [Fact]
    public void Should_score_each_detections_own_map_against_its_matched_ground_truth_box()
    {
        using var detector = ObjectDetector.LoadFromCheckpoint(BundledModels.DetectorPath);
        var explanation = Explain.Detection(detector, Scene("multi_test_00000.png"), "gradcam", detectionThreshold: 0.5f);
        var truth = GroundTruth();
        var scores = LocalizationMetrics.ForDetections(explanation, truth, tolerance: 15.0 * 96 / 224);
        Assert.Equal(explanation.Explained.Count(e => e.Heatmap is not null), scores.Count);
        Assert.True(scores.Count(s => s.GroundTruth is not null) >= 3, "the trousers, the bag and the T-shirt are found");
        foreach (var s in scores)
        {
            var detection = explanation.Explained.Single(e => e.Index == s.Index).Detection;
            Assert.True(s.Scores.MassInside.Value > 0, "some of each box's explanation lies in its box");
            // A false positive (the scene's T-shirt is also detected as a shirt at 0.52) has no object of its class:
            // it is scored against its own box.
            if (!truth.Any(t => t.Label == detection.Label))
            {
                Assert.Equal((null, 1.0), (s.GroundTruth, s.BoxIou));
                continue;
            }
            // Matched to the ground-truth object of its own class that its box overlaps most.
            Assert.NotNull(s.GroundTruth);
            Assert.Equal(truth[s.GroundTruth!.Value].Label, detection.Label);
            Assert.Equal(truth[s.GroundTruth.Value].Box.IoU(detection.Box), s.BoxIou, 6);
            Assert.True(s.BoxIou > 0.5);
            Assert.InRange(s.Scores.MassInside.Value, 0, 1);
        }
        // Without ground truth, each map is scored against its own predicted box.
        Assert.All(LocalizationMetrics.ForDetections(explanation), s => Assert.Equal((null, 1.0), (s.GroundTruth, s.BoxIou)));
    }

    [Fact]
    public void Should_score_each_explained_class_against_its_ground_truth_pixels()
    {
        using var segmentor = SemanticSegmentor.LoadFromCheckpoint(BundledModels.SegmenterPath);
        var explanation = Explain.Segmentation(segmentor, Scene("multi_test_00000.png"), allClasses: true, showUncertainty: false);
        // Mask gray level = class index + 1 on the canvases, which is the segmenter's class (0 = background).
        var mask = ImageIO.Load(Scene("multi_test_00000_mask.png"));
        var labels = Enumerable.Range(0, mask.Width * mask.Height).Select(i => (int)mask.GetPixel(i % mask.Width, i / mask.Width).R).ToArray();
        var scores = LocalizationMetrics.ForSegmentation(explanation, labels);
        Assert.Equal(explanation.Classes.Select(c => c.Class), scores.Select(s => s.Class));
        foreach (var s in scores.Where(s => labels.Contains(s.Class)))
        {
            Assert.True(s.Scores.MassInside.IsDefined);
            Assert.True(s.Scores.BestIou.Value > 0);
        }
        // A class predicted but absent from the ground truth has an empty region: NaN with the reason, not a number.
        foreach (var s in scores.Where(s => !labels.Contains(s.Class)))
            Assert.Contains("empty", s.Scores.MassInside.Reason, StringComparison.Ordinal);
    }
}
