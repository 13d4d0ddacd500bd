using AutoTimm.Imaging;
using AutoTimm.Models;
using AutoTimm.Interpretation.Engine;
using AutoTimm.Interpretation.Internal;
using AutoTimm.Interpretation.Metrics;
using AutoTimm.Interpretation.Targets;
using AutoTimm.Interpretation.Reports;
using AutoTimm.Interpretation.Visualization;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation;

/// <summary>Runs several methods on one image into a folder, collecting per-method errors instead of failing.</summary>
public static class Interpretation
{
    /// <summary>
    /// Explains the image with every requested method. A method that does not apply to the model (attention methods
    /// on a CNN) or fails lands in <see cref="InterpretationResult.Errors"/> with the reason; the others still run.
    /// </summary>
    public static InterpretationResult Run(InterpretationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var model = request.Model;
        var ids = (request.Methods ?? MethodRegistry.DefaultIds).Select(m => MethodRegistry.Get(m).Id).Distinct().ToList();
        if (ids.Count == 0) throw new ArgumentException("no methods given");
        var figureOptions = Explain.FigureOptionsFor(model, request.Colormap, request.Alpha);
        switch (model)
        {
            case ObjectDetector detector:
                return TaskInterpretation.Detection(detector, request, ids, figureOptions);
            case SemanticSegmentor segmentor:
                return TaskInterpretation.Segmentation(segmentor, request, ids, figureOptions);
        }
        if (request.TargetClass is { } requested && model.Config.Task == Models.ModelTask.ImageClassifier && (requested < 0 || requested >= model.Config.NumClasses))
            throw new ArgumentException($"target class {requested} is outside the model's {model.Config.NumClasses} classes (0..{model.Config.NumClasses - 1})");
        using var scope = NewDisposeScope();
        var profiler = request.Profiler;
        using (Diagnostics.PerformanceProfiler.Measure(profiler, "decode")) GC.KeepAlive(request.Image.IsPreprocessed);
        Tensor input;
        RgbImage display;
        using (Diagnostics.PerformanceProfiler.Measure(profiler, "preprocess"))
        {
            input = request.Image.ToModelInput(model.Config.Preprocess, model.Device);
            display = request.Image.ToDisplayImage(model.Config.Preprocess);
        }
        Directory.CreateDirectory(request.OutputDir);
        var run = MethodRun.Run(model, input, ids, request.TargetClass is { } c ? new ClassTarget(c) : null, request.Options, request.Progress, request.Cache, profiler);

        var results = new Dictionary<string, string>();
        var errors = new Dictionary<string, string>(run.Errors);
        var raw = new Dictionary<string, string>();
        var heatmaps = new Dictionary<string, Heatmap>();
        foreach (var id in ids.Where(run.Heatmaps.ContainsKey))
        {
            var heatmap = run.Heatmaps[id];
            if (!request.WriteFigures && !request.SaveRaw)
            {
                heatmaps[id] = heatmap;
                continue;
            }
            // A method's figure and arrays are committed together or not at all.
            using var outputs = new StagedOutputs();
            try
            {
                string? figure = null;
                if (request.WriteFigures)
                {
                    figure = Path.Combine(request.OutputDir, $"{id}.png");
                    using (Diagnostics.PerformanceProfiler.Measure(profiler, "render")) outputs.Write(figure, path => ExplanationFigure.Save(display, heatmap, path, figureOptions));
                }
                var arrays = new Dictionary<string, string>();
                void Array(string key, string file, float[] values, long[] shape)
                {
                    arrays[key] = Path.Combine(request.OutputDir, file);
                    outputs.Write(arrays[key], path => WriteStagedArray(path, values, shape));
                }
                using var writing = Diagnostics.PerformanceProfiler.Measure(profiler, "write");
                if (request.SaveRaw)
                {
                    Array(id, $"{id}_raw.npy", heatmap.Raw, [heatmap.Height, heatmap.Width]);
                    if (heatmap.Attributions is { } attributions) Array($"{id}_attr", $"{id}_attr.npy", attributions, [3, heatmap.Height, heatmap.Width]);
                }
                outputs.Commit();
                if (figure is not null) results[id] = figure;
                heatmaps[id] = heatmap;
                foreach (var (key, path) in arrays) raw[key] = path;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                errors[id] = e.Message;
            }
        }
        var timings = run.TimingsMs.Where(kv => heatmaps.ContainsKey(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value);

        var prediction = (ClassPrediction)run.Prediction;
        int target = run.Target.ClassIndex ?? prediction.PredictedClass;
        List<ReportMethodMetrics>? metrics = null;
        if (request.Metrics)
        {
            metrics = [];
            foreach (var (id, heatmap) in heatmaps)
            {
                request.Progress?.Report(new WorkProgress("metrics", metrics.Count, heatmaps.Count) { Detail = id });
                var (deletion, insertion) = DeletionInsertion.Compute(model, input, heatmap.Values, target, request.MetricOptions);
                metrics.Add(new ReportMethodMetrics
                {
                    Method = id,
                    Values = [new("deletion_auc", deletion.Auc), new("insertion_auc", insertion.Auc)],
                    Deletion = deletion,
                    Insertion = insertion,
                });
            }
        }
        var page = ReportPages.Classification(model, request.Image, display, prediction, target, ids.Where(heatmaps.ContainsKey)
            .Select(id => new ReportMap(id, heatmaps[id], timings.GetValueOrDefault(id))).ToList(), errors, metrics ?? []);
        string? report = null;
        if (request.Report)
        {
            report = Path.Combine(request.OutputDir, "report.html");
            HtmlReport.Write(report, [page], ReportPages.Options(request));
        }
        return new InterpretationResult
        {
            Results = results,
            PredictedClass = prediction.PredictedClass,
            PredictedLabel = model.Config.LabelOf(prediction.PredictedClass),
            Confidence = prediction.Confidence,
            Errors = errors,
            TargetClass = target,
            Raw = request.SaveRaw ? raw : null,
            TimingsMs = timings,
            Report = report,
            Heatmaps = heatmaps,
            Metrics = metrics,
            Page = page,
        };
    }

    /// <summary>Writes a float32 <c>.npy</c> file atomically, on its own; returns its path.</summary>
    internal static string SaveArray(string dir, string name, float[] values, long[] shape)
    {
        var path = Path.Combine(dir, name);
        AtomicFile.WriteAllBytes(path, Npy.Encode(values, shape));
        return path;
    }

    /// <summary>
    /// Writes a float32 <c>.npy</c> file at a <see cref="StagedOutputs"/> temporary path, whose commit is the atomic
    /// step: the bytes go straight to it, with no temporary file and rename of their own.
    /// </summary>
    internal static void WriteStagedArray(string path, float[] values, long[] shape)
    {
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);
        Npy.Write(file, values, shape);
    }
}
