using System.CommandLine;
using AutoTimm.Imaging;
using AutoTimm.Interpretation;
using AutoTimm.Interpretation.Methods;

namespace AutoTimm.Cli.Commands;

/// <summary><c>autotimm interpret</c>: explain one image with several methods (the reference CLI, extended).</summary>
internal static class InterpretCommand
{
    public static Command Create()
    {
        var model = new ModelOptions();
        var image = new Option<string>("--image") { Description = "Image file (png/jpg/bmp/webp) or .npy float32 [3,H,W]/[1,3,H,W] model input", Required = true };
        var methods = new Option<string?>("--methods") { Description = $"Comma-separated methods: {string.Join(", ", ExplanationMethods.Ids)} (alias gradcam++); default: all but transformer_attribution" };
        var outputDir = new Option<string>("--output-dir") { Description = "Folder for figures and arrays", DefaultValueFactory = _ => "interpretations" };
        var taskClass = new Option<string>("--task-class") { Description = "ImageClassifier | ObjectDetector | SemanticSegmentor", DefaultValueFactory = _ => "ImageClassifier" };
        var targetClass = new Option<int?>("--target-class") { Description = "Class to explain (default: the predicted class)" };
        var targetLayer = new Option<string?>("--target-layer") { Description = "Layer for CAM methods, dotted name (default: last spatial feature layer)" };
        var colormap = new Option<string>("--colormap") { Description = "Colormap of the figures", DefaultValueFactory = _ => "viridis" };
        var alpha = new Option<double>("--alpha") { Description = "Heatmap opacity in overlays, 0..1", DefaultValueFactory = _ => 0.4 };
        var igSteps = new Option<int>("--ig-steps") { Description = "Integrated Gradients steps", DefaultValueFactory = _ => 50 };
        var igBaseline = new Option<string>("--ig-baseline") { Description = "black | white | blur | random | zeros", DefaultValueFactory = _ => "black" };
        var igMethod = new Option<string>("--ig-method") { Description = "gausslegendre | riemann_left | riemann_right | riemann_middle | riemann_trapezoid", DefaultValueFactory = _ => "gausslegendre" };
        var sgSamples = new Option<int>("--smoothgrad-samples") { Description = "SmoothGrad noisy copies", DefaultValueFactory = _ => 50 };
        var sgNoise = new Option<double>("--smoothgrad-noise") { Description = "SmoothGrad noise, fraction of the input's value range", DefaultValueFactory = _ => 0.15 };
        var seed = new Option<long>("--seed") { Description = "Seed of random draws", DefaultValueFactory = _ => 0 };
        var saveRaw = new Option<bool>("--save-raw") { Description = "Also write <id>_raw.npy ([H,W] before normalization) and <id>_attr.npy for integrated_gradients" };
        var report = new Option<bool>("--report") { Description = "Also write a self-contained report.html" };

        var command = new Command("interpret", "Explain an image with several methods; prints results, predicted_class, errors (and raw, report, timings_ms).");
        model.AddTo(command);
        foreach (var option in new Option[] { image, methods, outputDir, taskClass, targetClass, targetLayer, colormap, alpha, igSteps, igBaseline, igMethod, sgSamples, sgNoise, seed, saveRaw, report })
            command.Options.Add(option);

        command.SetJsonAction(parse =>
        {
            var task = parse.GetValue(taskClass)!;
            if (task != "ImageClassifier")
                throw new NotSupportedException(task is "ObjectDetector" or "SemanticSegmentor"
                    ? $"--task-class {task} needs a detection/segmentation model, which this version does not ship yet; use ImageClassifier"
                    : $"unknown --task-class '{task}'; known: ImageClassifier, ObjectDetector, SemanticSegmentor");
            using var classifier = model.Load(parse);
            var options = new MethodOptions
            {
                TargetLayer = parse.GetValue(targetLayer),
                IgSteps = parse.GetValue(igSteps),
                IgBaseline = IntegratedGradients.ParseBaseline(parse.GetValue(igBaseline)!),
                IgMethod = ParseIntegration(parse.GetValue(igMethod)!),
                SmoothGradSamples = parse.GetValue(sgSamples),
                SmoothGradNoise = parse.GetValue(sgNoise),
                Seed = parse.GetValue(seed),
            };
            var result = Interpretation.Interpretation.Run(new InterpretationRequest
            {
                Model = classifier,
                Image = ImageInput.FromFile(parse.GetValue(image)!),
                Methods = parse.GetValue(methods)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                OutputDir = parse.GetValue(outputDir)!,
                TargetClass = parse.GetValue(targetClass),
                Options = options,
                Colormap = parse.GetValue(colormap)!,
                Alpha = parse.GetValue(alpha),
                SaveRaw = parse.GetValue(saveRaw),
                Report = parse.GetValue(report),
            });
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
                timings_ms = result.TimingsMs,
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

    private static IntegrationMethod ParseIntegration(string name) => name.ToLowerInvariant() switch
    {
        "gausslegendre" or "gauss_legendre" => IntegrationMethod.GaussLegendre,
        "riemann_left" => IntegrationMethod.RiemannLeft,
        "riemann_right" => IntegrationMethod.RiemannRight,
        "riemann_middle" => IntegrationMethod.RiemannMiddle,
        "riemann_trapezoid" => IntegrationMethod.RiemannTrapezoid,
        _ => throw new ArgumentException($"unknown --ig-method '{name}'; known: gausslegendre, riemann_left, riemann_right, riemann_middle, riemann_trapezoid"),
    };
}
