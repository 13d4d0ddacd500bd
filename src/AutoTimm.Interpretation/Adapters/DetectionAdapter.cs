using System.Diagnostics;
using System.Globalization;
using AutoTimm.Data;
using AutoTimm.Imaging;
using AutoTimm.Interpretation.Engine;
using AutoTimm.Interpretation.Targets;
using AutoTimm.Interpretation.Visualization;
using AutoTimm.Models;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Adapters;

/// <summary>
/// Explains a detector's detections, each from its own box score (its class logit at its location and level). All
/// boxes of an image are explained together: the image is one stride-0 row per box, so the session runs the layers
/// below the explained layer once and one backward of the stacked box scores gives every box its gradient.
/// </summary>
internal static class DetectionAdapter
{
    public static DetectionExplanation Run(ObjectDetector detector, ImageInput image, string method, float detectionThreshold, BoundingBox? bbox,
        int? targetClass, ExplanationOptions options, FigureOptions figureOptions, string? saveDir, string? savePath = null)
    {
        ArgumentNullException.ThrowIfNull(detector);
        ArgumentNullException.ThrowIfNull(image);
        if (!(detectionThreshold is >= 0 and < 1))
            throw new ArgumentOutOfRangeException(nameof(detectionThreshold), detectionThreshold, "the detection threshold must be in [0, 1)");
        var descriptor = MethodRegistry.Get(method);
        using var scope = NewDisposeScope();
        var input = image.ToModelInput(detector.Config.Preprocess, detector.Device);
        int height = (int)input.shape[2], width = (int)input.shape[3];
        if (bbox is { } requested && (requested.IsEmpty || requested.Clip(width, height).IsEmpty))
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"the bbox [{requested.X0},{requested.Y0},{requested.X1},{requested.Y1}] lies outside the {width}x{height} model input (or is empty); give x0 < x1 and y0 < y1 within it"));

        var task = new DetectionTask(new DetectionOptions { ScoreThreshold = detectionThreshold });
        var detections = detector.Detect(input, task.Options)[0];
        var result = new DetectionExplanation { Method = descriptor.Id, DetectionThreshold = detectionThreshold, Detections = detections, Explained = [] };
        if (detections.Count == 0)
            return result with { Message = string.Create(CultureInfo.InvariantCulture, $"nothing detected above score {detectionThreshold}; lower the detection threshold to see weaker detections") };

        if (targetClass is { } wanted && (wanted < 0 || wanted >= detector.NumClasses))
            throw new ArgumentOutOfRangeException(nameof(targetClass), wanted, $"class {wanted} is outside the detector's {detector.NumClasses} classes (0..{detector.NumClasses - 1})");
        var chosen = Enumerable.Range(0, detections.Count).Where(i => targetClass is null || detections[i].Label == targetClass).ToList();
        if (chosen.Count == 0)
            return result with { Message = string.Create(CultureInfo.InvariantCulture, $"no detection of class {targetClass} ({detector.Config.LabelOf(targetClass!.Value)}) above score {detectionThreshold}") };
        if (bbox is { } box)
        {
            var best = chosen.MaxBy(i => detections[i].Box.IoU(box))!;
            if (detections[best].Box.IoU(box) <= 0)
                return result with { Message = "no detection overlaps the given bbox" };
            chosen = [best];
        }

        var explained = new ExplainedDetection?[chosen.Count];
        var layer = options.Get<Methods.CamOptions>().TargetLayer is { } named ? ModuleLookup.Canonical(detector, named) : null;
        var runnable = new List<int>();
        for (int j = 0; j < chosen.Count; j++)
        {
            var d = detections[chosen[j]];
            if (LevelMismatch(detector, layer, d) is { } why) explained[j] = new ExplainedDetection(chosen[j], d) { Error = why };
            else runnable.Add(j);
        }

        var clock = Stopwatch.StartNew();
        if (runnable.Count > 0)
        {
            using var explainer = MethodRegistry.Create(descriptor.Id, detector, options);
            var targets = runnable.Select(j => (IExplanationTarget?)BoxScoreTarget.Of(detections[chosen[j]])).ToArray();
            var rows = input.expand(targets.Length, -1, -1, -1);
            var heatmaps = explainer.ExplainTargets(rows, targets, targets.Length, task);
            for (int r = 0; r < runnable.Count; r++)
                explained[runnable[r]] = new ExplainedDetection(chosen[runnable[r]], detections[chosen[runnable[r]]]) { Heatmap = heatmaps[r] };
        }
        double elapsed = clock.Elapsed.TotalMilliseconds;

        string Caption(Detection d) => $"{figureOptions.LabelOf(d.Label)} {FigureText.Percent(d.Score)}";
        if (savePath is not null && explained.Any(e => e!.Heatmap is not null))
        {
            // One overview figure, as the spec's save_path: the image with every box, then each box's own overlay.
            var entries = explained.Where(e => e!.Heatmap is not null).Select(e => new ComparisonEntry(e!.Heatmap!, $"box {e.Index}: {Caption(e.Detection)}")
            {
                Boxes = [new FigureBox(e.Detection.Box, Caption(e.Detection), e.Index)],
            }).ToList();
            var headline = new DetectionSummary(detections).Headline(figureOptions.LabelOf);
            ComparisonFigure.Save(image.ToDisplayImage(detector.Config.Preprocess), entries, savePath, FigureLayout.Grid, figureOptions with
            {
                Boxes = explained.Where(e => e!.Heatmap is not null).Select(e => new FigureBox(e!.Detection.Box, Caption(e.Detection), e.Index)).ToArray(),
                Title = $"{headline}{FigureText.Separator}{MethodRegistry.DisplayName(descriptor.Id)}",
            });
        }
        if (saveDir is not null)
        {
            Directory.CreateDirectory(saveDir);
            var display = image.ToDisplayImage(detector.Config.Preprocess);
            for (int j = 0; j < explained.Length; j++)
            {
                if (explained[j] is not { Heatmap: { } heatmap } e) continue;
                var caption = Caption(e.Detection);
                var path = Path.Combine(saveDir, $"{descriptor.Id}_box{e.Index}.png");
                ExplanationFigure.Save(display, heatmap, path, figureOptions with { Boxes = [new FigureBox(e.Detection.Box, caption, e.Index)] });
                explained[j] = e with { FigurePath = path };
            }
        }
        return result with
        {
            Explained = explained.Select(e => e!).ToArray(),
            ElapsedMilliseconds = elapsed,
            SavePath = savePath is not null && explained.Any(e => e!.Heatmap is not null) ? savePath : null,
        };
    }

    /// <summary>
    /// Why a detection cannot be explained at <paramref name="canonical"/> (a canonical layer name): the layer is one
    /// pyramid level's output and the detection comes from another level, so its score does not depend on that layer.
    /// </summary>
    private static string? LevelMismatch(ObjectDetector detector, string? canonical, Detection detection)
    {
        if (canonical is null) return null;
        for (int level = 0; level < detector.LevelCount; level++)
        {
            if (detector.LevelLayer(level) != canonical || level == detection.Level) continue;
            return $"the detection comes from pyramid level {detection.Level} ({detector.LevelLayer(detection.Level)}); its score does not depend on " +
                $"{canonical} (level {level}). Explain it at {detector.LevelLayer(detection.Level)} or at a backbone layer such as {detector.DefaultTargetLayer}";
        }
        return null;
    }
}
