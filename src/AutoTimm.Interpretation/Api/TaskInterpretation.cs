using AutoTimm.Interpretation.Adapters;
using AutoTimm.Interpretation.Engine;
using AutoTimm.Interpretation.Internal;
using AutoTimm.Interpretation.Visualization;
using AutoTimm.Models;

namespace AutoTimm.Interpretation;

/// <summary>
/// <see cref="Interpretation.Run"/> for detectors and segmenters: every requested method explains every kept
/// detection (or every explained class) into the output folder; a method that does not apply or fails is reported,
/// per method or per detection, and the others still run.
/// </summary>
internal static class TaskInterpretation
{
    private const string MetricsUnavailable = "deletion and insertion curves cover classifiers in this version";

    public static InterpretationResult Detection(ObjectDetector detector, InterpretationRequest request, IReadOnlyList<string> ids, FigureOptions figureOptions)
    {
        Directory.CreateDirectory(request.OutputDir);
        var errors = new Dictionary<string, string>();
        var timings = new Dictionary<string, double>();
        var perDetection = new Dictionary<int, (Dictionary<string, string> Results, Dictionary<string, string> Raw, Dictionary<string, string> Errors)>();
        var maps = new Dictionary<int, List<Reports.ReportMap>>();
        var saveDir = request.WriteFigures ? request.OutputDir : null;
        IReadOnlyList<Detection>? detections = null;
        string? message = null;
        int done = 0;
        foreach (var id in ids)
        {
            request.Progress?.Report(new WorkProgress("interpret", done++, ids.Count) { Detail = id });
            if (MethodRegistry.Get(id).NotApplicableBecause(detector) is { } why)
            {
                errors[id] = why;
                continue;
            }
            // A method's figures and arrays are committed together or not at all: arrays are staged, and figures the
            // adapter wrote are adopted, so they are removed again when anything of the method fails.
            using var outputs = new StagedOutputs();
            try
            {
                var explained = Explain.Detection(detector, request.Image, id, request.DetectionThreshold, request.Bbox, null, saveDir,
                    request.Colormap, request.Alpha, request.Options, request.TargetClass);
                foreach (var figure in explained.Explained.Select(e => e.FigurePath).OfType<string>()) outputs.Adopt(figure);
                var arrays = new Dictionary<int, string>();
                foreach (var e in explained.Explained)
                    if (request.SaveRaw && e.Heatmap is { } heatmap)
                        outputs.Write(arrays[e.Index] = Path.Combine(request.OutputDir, $"{id}_box{e.Index}_raw.npy"), path => Interpretation.WriteStagedArray(path, heatmap.Raw, [heatmap.Height, heatmap.Width]));
                outputs.Commit();
                detections ??= explained.Detections;
                message ??= explained.Message;
                timings[id] = explained.ElapsedMilliseconds;
                foreach (var e in explained.Explained)
                {
                    var entry = perDetection.TryGetValue(e.Index, out var found) ? found : perDetection[e.Index] = ([], [], []);
                    if (e.Error is not null) entry.Errors[id] = e.Error;
                    if (e.FigurePath is not null) entry.Results[id] = e.FigurePath;
                    if (arrays.TryGetValue(e.Index, out var raw)) entry.Raw[id] = raw;
                    if (e.Heatmap is { } heatmap) (maps.TryGetValue(e.Index, out var list) ? list : maps[e.Index] = []).Add(new(id, heatmap));
                }
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or NotSupportedException or IOException or UnauthorizedAccessException)
            {
                errors[id] = e.Message;
            }
        }
        request.Progress?.Report(new WorkProgress("interpret", ids.Count, ids.Count));
        if (request.Metrics) errors["metrics"] = MetricsUnavailable;
        detections ??= [];
        var entries = detections.Select((d, i) => new DetectionEntry
        {
            Index = i,
            Box = d.Box.ToArray(),
            Label = d.Label,
            ClassName = detector.Config.LabelOf(d.Label),
            Score = d.Score,
            Results = perDetection.TryGetValue(i, out var e) ? e.Results : new Dictionary<string, string>(),
            Raw = perDetection.TryGetValue(i, out var r) ? r.Raw : new Dictionary<string, string>(),
            Errors = perDetection.TryGetValue(i, out var x) ? x.Errors : new Dictionary<string, string>(),
        }).ToList();
        var top = detections.Count > 0 ? detections[0] : null;
        var page = Reports.ReportPages.Detection(detector, request.Image, request.Image.ToDisplayImage(detector.Config.Preprocess), detections, maps,
            perDetection.ToDictionary(kv => kv.Key, kv => kv.Value.Errors), errors, message);
        return new InterpretationResult
        {
            Results = ids.Where(id => entries.Any(e => e.Results.ContainsKey(id)))
                .ToDictionary(id => id, id => entries.First(e => e.Results.ContainsKey(id)).Results[id]),
            PredictedClass = top?.Label,
            PredictedLabel = top is null ? null : detector.Config.LabelOf(top.Label),
            Confidence = top?.Score,
            Errors = errors,
            TargetClass = top?.Label,
            TimingsMs = timings,
            Heatmaps = new Dictionary<string, Heatmap>(),
            Detections = entries,
            Message = message,
            Report = WriteReport(request, page),
            Page = page,
        };
    }

    public static InterpretationResult Segmentation(SemanticSegmentor segmentor, InterpretationRequest request, IReadOnlyList<string> ids, FigureOptions figureOptions)
    {
        Directory.CreateDirectory(request.OutputDir);
        var errors = new Dictionary<string, string>();
        var timings = new Dictionary<string, double>();
        var perClass = new SortedDictionary<int, (long Pixels, Dictionary<string, string> Results, Dictionary<string, string> Raw)>();
        var maps = new SortedDictionary<int, List<Reports.ReportMap>>();
        SegmentationExplanation? first = null;
        int done = 0;
        foreach (var id in ids)
        {
            request.Progress?.Report(new WorkProgress("interpret", done++, ids.Count) { Detail = id });
            if (MethodRegistry.Get(id).NotApplicableBecause(segmentor) is { } why)
            {
                errors[id] = why;
                continue;
            }
            using var outputs = new StagedOutputs();
            try
            {
                var explained = Explain.Segmentation(segmentor, request.Image, request.TargetClass, id, request.UncertaintyMethod is not null,
                    request.UncertaintyMethod ?? "entropy", request.AllClasses, null, null, request.WriteFigures ? request.OutputDir : null, request.Colormap,
                    request.Alpha, request.Options);
                foreach (var figure in explained.Classes.Select(c => c.FigurePath).OfType<string>()) outputs.Adopt(figure);
                var classArrays = new Dictionary<int, string>();
                if (request.SaveRaw)
                    foreach (var c in explained.Classes)
                        outputs.Write(classArrays[c.Class] = Path.Combine(request.OutputDir, $"{id}_class{c.Class}_raw.npy"), path => Interpretation.WriteStagedArray(path, c.Heatmap.Raw, [c.Heatmap.Height, c.Heatmap.Width]));
                outputs.Commit();
                first ??= explained;
                timings[id] = explained.ElapsedMilliseconds;
                foreach (var c in explained.Classes)
                {
                    var entry = perClass.TryGetValue(c.Class, out var found) ? found : perClass[c.Class] = (c.Pixels, [], []);
                    if (c.FigurePath is not null) entry.Results[id] = c.FigurePath;
                    if (classArrays.TryGetValue(c.Class, out var raw)) entry.Raw[id] = raw;
                    (maps.TryGetValue(c.Class, out var list) ? list : maps[c.Class] = []).Add(new(id, c.Heatmap, explained.Classes.Count == 1 ? explained.ElapsedMilliseconds : null));
                }
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or NotSupportedException or IOException or UnauthorizedAccessException)
            {
                errors[id] = e.Message;
            }
        }
        request.Progress?.Report(new WorkProgress("interpret", ids.Count, ids.Count));
        if (request.Metrics) errors["metrics"] = MetricsUnavailable;
        Dictionary<string, string>? arrays = null;
        if (first is not null && request.SaveRaw)
        {
            arrays = new Dictionary<string, string>
            {
                ["mask"] = Interpretation.SaveArray(request.OutputDir, "mask.npy", first.Mask.Select(v => (float)v).ToArray(), [first.Height, first.Width]),
            };
            if (first.Uncertainty is { } u) arrays["uncertainty"] = Interpretation.SaveArray(request.OutputDir, "uncertainty.npy", u, [first.Height, first.Width]);
        }
        long total = first is null ? 1 : (long)first.Height * first.Width;
        var top = first?.Prediction.TopClass;
        double ShareOf(int c) => (double)(first?.Prediction.PixelCounts[c] ?? 0) / total;
        var page = Reports.ReportPages.Segmentation(segmentor, request.Image, request.Image.ToDisplayImage(segmentor.Config.Preprocess), first,
            maps.Select(kv => new Reports.ReportClassLayer { Class = kv.Key, Label = segmentor.Config.LabelOf(kv.Key), Share = ShareOf(kv.Key), Maps = kv.Value }).ToList(),
            errors);
        return new InterpretationResult
        {
            Results = ids.Where(id => perClass.Values.Any(c => c.Results.ContainsKey(id)))
                .ToDictionary(id => id, id => perClass.Values.First(c => c.Results.ContainsKey(id)).Results[id]),
            PredictedClass = top,
            PredictedLabel = top is { } t ? segmentor.Config.LabelOf(t) : null,
            Confidence = null,
            Errors = errors,
            TargetClass = perClass.Count > 0 ? perClass.Keys.First() : request.TargetClass,
            TimingsMs = timings,
            Heatmaps = new Dictionary<string, Heatmap>(),
            Classes = perClass.Select(kv => new ClassEntry
            {
                Class = kv.Key,
                Label = segmentor.Config.LabelOf(kv.Key),
                Pixels = kv.Value.Pixels,
                Share = ShareOf(kv.Key),
                Results = kv.Value.Results,
                Raw = kv.Value.Raw,
            }).ToList(),
            Arrays = arrays,
            Message = first?.Message,
            Report = WriteReport(request, page),
            Page = page,
        };
    }

    private static string? WriteReport(InterpretationRequest request, Reports.ReportImage page)
    {
        if (!request.Report) return null;
        var path = Path.Combine(request.OutputDir, "report.html");
        Reports.HtmlReport.Write(path, [page], Reports.ReportPages.Options(request));
        return path;
    }
}
