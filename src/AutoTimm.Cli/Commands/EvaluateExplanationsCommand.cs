using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using AutoTimm.Interpretation;
using AutoTimm.Interpretation.Evaluation;

namespace AutoTimm.Cli.Commands;

/// <summary>
/// <c>autotimm evaluate-explanations</c>: compares explanation methods on images with ground truth (methods x metrics:
/// mean, std, bootstrap interval, time per image), printed as JSON, and writes <c>comparison.md</c>,
/// <c>comparison.json</c> and the curve charts into the output folder.
/// </summary>
internal static class EvaluateExplanationsCommand
{
    public static Command Create()
    {
        var model = new ModelOptions();
        var methodOptions = new MethodOptions();
        var data = new Option<string>("--data")
        {
            Description = "'cluttered-test' (the cluttered Fashion-MNIST test canvases, with item masks), a folder written by 'autotimm canvases' (canvases.json), or an ImageFolder",
            DefaultValueFactory = _ => "cluttered-test",
        };
        var dataDir = new Option<string?>("--data-dir") { Description = "Folder holding the Fashion-MNIST IDX files" };
        var methods = MethodOptions.MethodList("gradcam,gradcampp,integrated_gradients,smoothgrad,random,center");
        var n = new Option<int>("--n") { Description = "Images to evaluate (the first N)", DefaultValueFactory = _ => 200 };
        n.Validators.Add(result => CliValidation.InRange(result, "--n", 1, 100_000));
        var metrics = new Option<string?>("--metrics") { Description = $"Comma-separated metric groups (default: all): {string.Join(", ", EvaluationMetric.All)}" };
        var outputDir = new Option<string>("--output-dir") { Description = "Folder for comparison.md, comparison.json and the charts", DefaultValueFactory = _ => "explanation-metrics" };
        var batchSize = new Option<int>("--batch-size") { Description = "Images explained per batch", DefaultValueFactory = _ => 32 };
        batchSize.Validators.Add(result => CliValidation.InRange(result, "--batch-size", 1, 4096));
        var randomizationImages = new Option<int>("--randomization-images") { Description = "Images the randomization check runs on (the first N)", DefaultValueFactory = _ => 32 };
        randomizationImages.Validators.Add(result => CliValidation.InRange(result, "--randomization-images", 1, 100_000));

        var command = new Command("evaluate-explanations",
            "Compare explanation methods on images with ground truth: deletion, insertion, ROAD, faithfulness correlation, sensitivity, infidelity, localization, randomization and completeness; prints methods x metrics (mean, std, 95% bootstrap interval, ms per image, parameters).");
        model.AddTo(command);
        foreach (var option in new Option[] { data, dataDir, methods, n, metrics, outputDir, batchSize, randomizationImages })
            command.Options.Add(option);
        methodOptions.AddTo(command);
        command.SetJsonAction(parse =>
        {
            using var classifier = model.Load(parse);
            var options = new EvaluationOptions
            {
                Metrics = parse.GetValue(metrics) is { } names ? names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : null,
                BatchSize = parse.GetValue(batchSize),
                RandomizationImages = parse.GetValue(randomizationImages),
                MethodOptions = methodOptions.Build(parse),
            };
            options.Validate();
            var ids = MethodOptions.SplitList(parse.GetValue(methods)!);
            var source = parse.GetValue(data)!;
            var samples = source == "cluttered-test"
                ? EvaluationSamples.ClutteredTest(classifier.Config, parse.GetValue(n), parse.GetValue(dataDir))
                : EvaluationSamples.FromFolder(classifier.Config, source, parse.GetValue(n));
            var comparison = CliProgress.Run(progress => Explain.EvaluateAll(classifier, samples, ids, options, progress));
            var written = comparison.Save(parse.GetValue(outputDir)!);
            var result = JsonSerializer.SerializeToNode(comparison, MethodComparison.JsonOptions)!.AsObject();
            result["data"] = source;
            result["files"] = new JsonArray([.. written.Select(path => JsonValue.Create(path))]);
            return result;
        });
        return command;
    }
}
