using System.CommandLine;
using AutoTimm.Imaging;
using AutoTimm.Interpretation;
using AutoTimm.Interpretation.Batch;
using AutoTimm.Interpretation.Reports;
using AutoTimm.Models;

namespace AutoTimm.Cli.Commands;

/// <summary>
/// <c>autotimm report</c>: explains several images with several methods into one interactive HTML report, with
/// navigation between the images; plotly.js and every image are embedded once.
/// </summary>
internal static class ReportCommand
{
    public const int DefaultMaxImages = 100;

    public static Command Create()
    {
        var model = new ModelOptions();
        var images = new Option<string[]>("--images")
        {
            Description = $"Image files, or one folder searched recursively ({string.Join(", ", BatchInputs.Extensions)})",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
            HelpName = "DIR|files",
        };
        var methods = MethodOptions.MethodList();
        var output = new Option<string>("--output") { Description = "The report's .html file", DefaultValueFactory = _ => "report.html" };
        var title = new Option<string?>("--title") { Description = "Page title (default: AutoTimm explanations: <model>)" };
        var taskClass = new Option<string?>("--task-class") { Description = "Task of the model (default: read from the checkpoint; without a checkpoint, picks the bundled model of the task)" };
        taskClass.AcceptOnlyFromAmong(Enum.GetNames<ModelTask>());
        var targetClass = new Option<int?>("--target-class") { Description = "Class to explain in every image (default: each image's predicted class)" };
        var metrics = new Option<bool>("--metrics") { Description = "Classifiers: also compute each map's deletion and insertion curves (AUC table and curves in the report)" };
        var maxImages = new Option<int>("--max-images") { Description = "Refuse more images than this (a report embeds every image and map)", DefaultValueFactory = _ => DefaultMaxImages };
        maxImages.Validators.Add(result => CliValidation.InRange(result, "--max-images", 1, 100_000));
        var figure = new FigureFlags();
        var methodOptions = new MethodOptions();
        var cacheFlags = new CacheFlags();

        var command = new Command("report", "Explain several images into one interactive HTML report (zoom, pan, hover, linked methods, navigation); prints the report's path, size and each image's prediction.");
        model.AddTo(command);
        foreach (var option in new Option[] { images, methods, output, title, taskClass, targetClass, metrics, maxImages, figure.Colormap, figure.Alpha })
            command.Options.Add(option);
        methodOptions.AddTo(command);
        cacheFlags.AddTo(command);

        command.SetJsonAction(parse =>
        {
            var path = parse.GetValue(output)!;
            if (!path.EndsWith(".html", StringComparison.OrdinalIgnoreCase) && !path.EndsWith(".htm", StringComparison.OrdinalIgnoreCase))
                throw new CliFailure($"--output {path}: the report is an HTML file; give a name ending in .html");
            var outputDir = Path.GetDirectoryName(Path.GetFullPath(path))!;
            if (!Directory.Exists(outputDir)) throw new CliFailure($"--output {path}: the folder {outputDir} does not exist");
            var inputs = Inputs(parse.GetValue(images)!);
            int max = parse.GetValue(maxImages);
            if (inputs.Count > max)
                throw new CliFailure($"--images: {inputs.Count} images, more than --max-images {max}; a report embeds every image and map, so split the images or raise --max-images");
            ModelTask? task = parse.GetValue(taskClass) is { } name ? Enum.Parse<ModelTask>(name) : null;
            using var loaded = model.LoadAny(parse, task);
            var options = methodOptions.Build(parse);
            var cache = cacheFlags.Build(parse);
            var ids = parse.GetValue(methods) is { } list ? MethodOptions.SplitList(list) : null;
            var pages = new List<ReportImage>();
            var summaries = new List<object>();
            CliProgress.Run(progress =>
            {
                foreach (var (key, file) in inputs)
                {
                    progress.Report(new WorkProgress("report", pages.Count, inputs.Count) { Detail = key });
                    var result = Interpretation.Interpretation.Run(new InterpretationRequest
                    {
                        Model = loaded,
                        Image = ImageInput.FromFile(file),
                        Methods = ids,
                        OutputDir = outputDir,
                        WriteFigures = false,
                        TargetClass = parse.GetValue(targetClass),
                        Options = options,
                        Colormap = parse.GetValue(figure.Colormap)!,
                        Alpha = parse.GetValue(figure.Alpha),
                        Metrics = parse.GetValue(metrics) && loaded.Config.Task == ModelTask.ImageClassifier,
                        Cache = cache,
                    });
                    pages.Add(result.Page with { Name = key });
                    summaries.Add(new
                    {
                        image = key,
                        predicted_class = result.PredictedClass,
                        label = result.PredictedLabel,
                        confidence = result.Confidence,
                        methods = result.Heatmaps.Count + (result.Page.Detections.Sum(d => d.Maps.Count)) + result.Page.Classes.Sum(c => c.Maps.Count),
                        errors = result.Errors,
                    });
                }
                progress.Report(new WorkProgress("report", inputs.Count, inputs.Count));
                return 0;
            });
            HtmlReport.Write(path, pages, new ReportOptions
            {
                Title = parse.GetValue(title) ?? $"AutoTimm explanations: {loaded.Config.Arch}",
                Colormap = parse.GetValue(figure.Colormap)!,
                Alpha = parse.GetValue(figure.Alpha),
            });
            return new
            {
                report = path,
                bytes = new FileInfo(path).Length,
                images = summaries,
                task = loaded.Config.Task.ToString(),
                cache = CacheFlags.Report(cache),
            };
        });
        return command;
    }

    /// <summary>
    /// One folder (searched recursively; pages named by path inside it), or files (each must exist and be given once).
    /// </summary>
    private static IReadOnlyList<(string Key, string File)> Inputs(string[] given)
    {
        if (given.Length == 0) throw new CliFailure("--images: give a folder or image files");
        if (given.Length == 1 && Directory.Exists(given[0]))
        {
            var found = BatchInputs.FromDirectory(given[0]).Select(i => (i.Key, i.FullPath)).ToList();
            if (found.Count == 0) throw new CliFailure($"--images {given[0]}: the folder has no images ({string.Join(", ", BatchInputs.Extensions)})");
            return found;
        }
        var inputs = new List<(string, string)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in given)
        {
            if (Directory.Exists(file)) throw new CliFailure($"--images {file} is a folder; give one folder alone, or image files");
            if (!File.Exists(file)) throw new CliFailure($"--images {file}: no such file");
            if (!seen.Add(Path.GetFullPath(file))) throw new CliFailure($"--images {file} is given twice");
            inputs.Add((file, file));
        }
        // Pages are named by file name, or by the path as given where two files share a name.
        var names = inputs.GroupBy(i => Path.GetFileName(i.Item1)).Where(g => g.Count() == 1).Select(g => g.Key).ToHashSet();
        return inputs.Select(i => (names.Contains(Path.GetFileName(i.Item1)) ? Path.GetFileName(i.Item1) : i.Item1, i.Item2)).ToList();
    }
}
