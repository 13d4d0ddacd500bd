using System.Diagnostics;
using AutoTimm.Data;
using AutoTimm.Imaging;
using AutoTimm.Interpretation;
using AutoTimm.Interpretation.Engine;
using AutoTimm.Interpretation.Methods;
using AutoTimm.Interpretation.Metrics;
using AutoTimm.Interpretation.Targets;
using AutoTimm.Models;
using AutoTimm.Training;
using static TorchSharp.torch;

/// <summary>
/// Detection and segmentation explanations on the bundled models over the multi-object test canvases: how much of each
/// explanation lies on its own object (energy-based pointing game for boxes, relevance mass for masks; METRICS.md),
/// and the cost of explaining K boxes of one image relative to one detector forward.
/// </summary>
internal static class TaskExplanations
{
    // HiResCAM beside Grad-CAM: a box score is one location's logit, and Grad-CAM's spatial pooling of its gradient
    // spreads the map over wherever the same channels fire; HiResCAM keeps the gradient where it is.
    private static readonly string[] Methods = ["gradcam", "gradcampp", "hirescam", "eigencam", "integrated_gradients", "smoothgrad"];

    private static ExplanationOptions Options => ExplanationOptions.Default
        .With(new IntegratedGradientsOptions { Steps = 16 })
        .With(new SmoothGradOptions { Samples = 8 });

    public static object Localization(string detectorPath, string segmenterPath, int canvases)
    {
        using var detector = ObjectDetector.LoadFromCheckpoint(detectorPath);
        using var segmentor = SemanticSegmentor.LoadFromCheckpoint(segmenterPath);
        return new
        {
            canvases,
            saliency = "the min-max normalized heatmap at input resolution; IG with 16 steps, SmoothGrad(gradients) with 8 samples",
            detector_energy_inside_own_box = Detection(detector, canvases),
            segmenter_relevance_mass_in_class_mask = Segmentation(segmentor, canvases),
        };
    }

    private static Dictionary<string, object> Detection(ObjectDetector detector, int canvases)
    {
        var data = MultiObjectTraining.TestSet(ModelTask.ObjectDetector, detector.Config.Preprocess, count: canvases);
        return PerMethod("detection", "boxes", canvases, data, (method, canvas, image) =>
            Explain.Detection(detector, image, method, DetectionTask.DefaultScoreThreshold, options: Options).Explained
                .Where(e => e.Heatmap is not null)
                .Select(e => LocalizationMetrics.MassInside(e.Heatmap!.Values, SaliencyRegion.FromBox(e.Detection.Box, e.Heatmap.Height, e.Heatmap.Width)).Value));
    }

    private static Dictionary<string, object> Segmentation(SemanticSegmentor segmentor, int canvases)
    {
        var data = MultiObjectTraining.TestSet(ModelTask.SemanticSegmentor, segmentor.Config.Preprocess, count: canvases);
        // Each explained class against its ground-truth mask (class c is mask value c).
        return PerMethod("segmentation", "classes", canvases, data, (method, canvas, image) =>
            Explain.Segmentation(segmentor, image, method: method, showUncertainty: false, allClasses: true, options: Options).Classes
                .Where(c => canvas.ClassMask.Contains((byte)c.Class))
                .Select(c => LocalizationMetrics.MassInside(c.Heatmap.Values,
                    SaliencyRegion.FromMask(canvas.ClassMask.Select(v => v == c.Class).ToArray(), canvas.Height, canvas.Width)).Value));
    }

    /// <summary>Per method: the mean of the shares <paramref name="shares"/> yields over the first canvases, their count and the time.</summary>
    private static Dictionary<string, object> PerMethod(string task, string unit, int canvases, MultiObjectBatchSource data,
        Func<string, MultiObjectCanvas, ImageInput, IEnumerable<double>> shares)
    {
        var result = new Dictionary<string, object>();
        foreach (var method in Methods)
        {
            var values = new List<double>();
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < canvases; i++)
            {
                var canvas = data.Canvas(i);
                using var scope = NewDisposeScope();
                values.AddRange(shares(method, canvas, ImageInput.FromImage(MultiObjectCanvasExport.ToImage(canvas))));
            }
            result[method] = new Dictionary<string, object> { ["mean"] = values.Average(), [unit] = values.Count, ["seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 1) };
            Console.Error.WriteLine($"{task} {method}: {values.Average():F3} over {values.Count} {unit}");
        }
        return result;
    }

    /// <summary>Explaining K boxes of one image (Grad-CAM, one shared pass) relative to one inference forward.</summary>
    public static object BoxCost(VisionModel detector, Func<Action, double> median)
    {
        using var x = randn(1, 3, detector.Config.Preprocess.Height, detector.Config.Preprocess.Width, generator: new TorchSharp.torch.Generator(1));
        double forward = median(() =>
        {
            using var scope = NewDisposeScope();
            using var mode = new EvalModeScope(detector);
            using var _ = no_grad();
            detector.call(x);
        });
        using var cam = new GradCam(detector);
        var result = new Dictionary<string, object> { ["forward_ms"] = forward };
        foreach (int k in new[] { 1, 2, 4 })
        {
            var targets = Enumerable.Range(0, k).Select(i => (IExplanationTarget?)new BoxScoreTarget(7 * i, i)).ToArray();
            double shared = median(() => cam.ExplainTargets(x.expand(k, -1, -1, -1), targets, k));
            double separate = median(() => { foreach (var t in targets) cam.ExplainTargets(x, [t]); });
            result[$"k{k}"] = new { shared_ms = shared, shared_over_forward = shared / forward, one_pass_per_box_over_forward = separate / forward };
        }
        return result;
    }
}
