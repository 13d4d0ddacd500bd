using System.CommandLine;
using AutoTimm.Data;
using AutoTimm.Imaging;
using AutoTimm.Interpretation;
using AutoTimm.Interpretation.Engine;
using AutoTimm.Interpretation.Methods;
using AutoTimm.Interpretation.Visualization;
using AutoTimm.Models;

namespace AutoTimm.Cli.Commands;

/// <summary><c>autotimm interpret</c>: explain one image with several methods (the reference CLI, extended).</summary>
internal static class InterpretCommand
{
    public static Command Create()
    {
        var model = new ModelOptions();
        var image = new Option<string>("--image") { Description = "Image file (png/jpg/bmp/webp) or .npy float32 [3,H,W]/[1,3,H,W] model input", Required = true };
        var methods = MethodOptions.MethodList();
        var outputDir = new Option<string>("--output-dir") { Description = "Folder for figures and arrays", DefaultValueFactory = _ => "interpretations" };
        var taskClass = new Option<string?>("--task-class") { Description = "Task of the model (default: read from the checkpoint; without a checkpoint, picks the bundled model of the task)" };
        taskClass.AcceptOnlyFromAmong(Enum.GetNames<ModelTask>());
        var detectionThreshold = new Option<float>("--detection-threshold") { Description = "Detectors: score a detection needs to be explained, 0..1", DefaultValueFactory = _ => DetectionTask.DefaultScoreThreshold };
        detectionThreshold.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<float>();
            if (!(value >= 0 && value < 1)) result.AddError($"--detection-threshold {value} is outside [0, 1)");
        });
        var bbox = new Option<string?>("--bbox") { Description = "Detectors: x0,y0,x1,y1 in model-input pixels; explains only the detection overlapping it most", HelpName = "x0,y0,x1,y1" };
        bbox.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } value && ParseBox(value) is null)
                result.AddError($"--bbox '{value}' is not four numbers x0,y0,x1,y1 with x0 < x1 and y0 < y1");
        });
        var allClasses = new Option<bool>("--all-classes") { Description = "Segmenters: explain every predicted object class" };
        var uncertainty = new Option<string>("--uncertainty") { Description = "Segmenters: uncertainty map", DefaultValueFactory = _ => "entropy" };
        uncertainty.AcceptOnlyFromAmong("entropy", "margin", "none");
        var targetClass = new Option<int?>("--target-class") { Description = "Class to explain (default: the predicted class)" };
        var figure = new FigureFlags();
        var methodOptions = new MethodOptions();
        var cacheFlags = new CacheFlags();
        var saveRaw = new Option<bool>("--save-raw") { Description = "Also write <id>_raw.npy ([H,W] before normalization) and <id>_attr.npy for integrated_gradients" };
        var report = new Option<bool>("--report") { Description = "Also write report.html: interactive (zoom, pan, hover, linked methods), self-contained, offline" };
        var metrics = new Option<bool>("--metrics") { Description = "Classifiers: also compute each map's deletion and insertion curves (metrics in the output and the report)" };
        var profile = new Option<bool>("--profile") { Description = "Also time every stage (stages_ms in the output) and write trace.json (Chrome trace events: chrome://tracing, Perfetto)" };

        var command = new Command("interpret", "Explain an image with several methods; prints results, predicted_class, errors (and raw, report, timings_ms).");
        model.AddTo(command);
        foreach (var option in new Option[] { image, methods, outputDir, taskClass, detectionThreshold, bbox, allClasses, uncertainty, targetClass, figure.Colormap, figure.Alpha, saveRaw, report, metrics, profile })
            command.Options.Add(option);
        methodOptions.AddTo(command);
        cacheFlags.AddTo(command);

        command.SetJsonAction(parse =>
        {
            ModelTask? task = parse.GetValue(taskClass) is { } name ? Enum.Parse<ModelTask>(name) : null;
            using var loaded = model.LoadAny(parse, task);
            var options = methodOptions.Build(parse);
            var cache = cacheFlags.Build(parse);
            var profiler = parse.GetValue(profile) ? new Diagnostics.PerformanceProfiler { RecordTrace = true } : null;
            var result = CliProgress.Run(progress => Interpretation.Interpretation.Run(new InterpretationRequest
            {
                Progress = progress,
                Model = loaded,
                DetectionThreshold = parse.GetValue(detectionThreshold),
                Bbox = parse.GetValue(bbox) is { } box ? ParseBox(box) : null,
                AllClasses = parse.GetValue(allClasses),
                UncertaintyMethod = parse.GetValue(uncertainty) is "none" ? null : parse.GetValue(uncertainty),
                Image = ImageInput.FromFile(parse.GetValue(image)!),
                Methods = parse.GetValue(methods) is { } list ? MethodOptions.SplitList(list) : null,
                OutputDir = parse.GetValue(outputDir)!,
                TargetClass = parse.GetValue(targetClass),
                Options = options,
                Colormap = parse.GetValue(figure.Colormap)!,
                Alpha = parse.GetValue(figure.Alpha),
                SaveRaw = parse.GetValue(saveRaw),
                Report = parse.GetValue(report),
                Metrics = parse.GetValue(metrics),
                Cache = cache,
                Profiler = profiler,
            }));
            string? trace = null;
            if (profiler is not null)
            {
                trace = Path.Combine(parse.GetValue(outputDir)!, "trace.json");
                profiler.WriteChromeTrace(trace);
            }
            // Exit 0 means something asked for was written: a classifier run whose every method failed is an error.
            if (result.Detections is null && result.Classes is null && result.Results.Count == 0 && result.Errors.Count > 0)
                throw new CliFailure($"no explanation was written: {string.Join("; ", result.Errors.Select(e => $"{e.Key}: {e.Value}"))}",
                    new Dictionary<string, object?> { ["errors"] = result.Errors, ["predicted_class"] = result.PredictedClass });
            return new
            {
                results = result.Results,
                predicted_class = result.PredictedClass,
                errors = result.Errors,
                label = result.PredictedLabel,
                confidence = result.Confidence,
                target_class = result.TargetClass,
                raw = result.Raw,
                report = result.Report,
                metrics = result.Metrics?.ToDictionary(m => m.Method, m => m.Values.ToDictionary(v => v.Key, v => v.Value)),
                timings_ms = result.TimingsMs,
                cache = CacheFlags.Report(cache),
                stages_ms = profiler?.TotalsMs,
                trace,
                task = loaded.Config.Task.ToString(),
                detections = result.Detections?.Select(d => new
                {
                    index = d.Index, box = d.Box, label = d.Label, class_name = d.ClassName, score = d.Score, results = d.Results, raw = d.Raw, errors = d.Errors,
                }),
                classes = result.Classes?.Select(c => new { @class = c.Class, label = c.Label, pixels = c.Pixels, share = c.Share, results = c.Results, raw = c.Raw }),
                arrays = result.Arrays,
                message = result.Message,
                runtime = new
                {
                    onednn_isa = Native.TorchRuntime.OneDnn.Isa,
                    onednn = Native.TorchRuntime.OneDnn.ToString(),
                    threads = TorchSharp.torch.get_num_threads(),
                },
            };
        });
        return command;
    }

    private static BoundingBox? ParseBox(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length != 4) return null;
        var values = new float[4];
        for (int i = 0; i < 4; i++)
            if (!float.TryParse(parts[i], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out values[i]) || !float.IsFinite(values[i]))
                return null;
        var box = new BoundingBox(values[0], values[1], values[2], values[3]);
        return box.IsEmpty ? null : box;
    }
}
