using System.CommandLine;
using System.CommandLine.Parsing;
using AutoTimm.Interpretation.Engine;
using AutoTimm.Interpretation.Methods;

namespace AutoTimm.Cli.Commands;

/// <summary>
/// Method parameters every verb that explains shares: <c>--target-layer</c>, <c>--ig-steps</c>, <c>--ig-baseline</c>,
/// <c>--ig-method</c>, <c>--smoothgrad-samples</c>, <c>--smoothgrad-noise</c>, <c>--seed</c>.
/// </summary>
internal sealed class MethodOptions
{
    public MethodOptions(int smoothGradSamples = 50)
    {
        IgSteps.Validators.Add(result => CliValidation.InRange(result, "--ig-steps", 1, IntegratedGradientsOptions.MaxSteps));
        IgBaseline.AcceptOnlyFromAmong([.. Enum.GetNames<IgBaseline>().Where(n => n != nameof(Interpretation.Methods.IgBaseline.Custom)).Select(n => n.ToLowerInvariant())]);
        IgMethod.AcceptOnlyFromAmong([.. Quadrature.Names]);
        SmoothGradSamples = new("--smoothgrad-samples") { Description = $"SmoothGrad noisy copies, 1..{SmoothGradOptions.MaxSamples}", DefaultValueFactory = _ => smoothGradSamples };
        SmoothGradSamples.Validators.Add(result => CliValidation.InRange(result, "--smoothgrad-samples", 1, SmoothGradOptions.MaxSamples));
        SmoothGradNoise.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<double>();
            if (!(value >= 0 && value <= 10)) result.AddError($"--smoothgrad-noise {value} is outside 0..10; give a fraction of the input's value range, e.g. 0.15");
        });
    }

    public Option<string?> TargetLayer { get; } = new("--target-layer") { Description = "Layer for CAM methods, dotted name (default: last spatial feature layer)" };

    public Option<int> IgSteps { get; } = new("--ig-steps") { Description = $"Integrated Gradients steps, 1..{IntegratedGradientsOptions.MaxSteps}", DefaultValueFactory = _ => 50 };

    public Option<IgBaseline> IgBaseline { get; } = new("--ig-baseline") { Description = "Integrated Gradients baseline", DefaultValueFactory = _ => Interpretation.Methods.IgBaseline.Black };

    public Option<string> IgMethod { get; } = new("--ig-method") { Description = "Integrated Gradients quadrature", DefaultValueFactory = _ => "gausslegendre" };

    public Option<int> SmoothGradSamples { get; }

    public Option<double> SmoothGradNoise { get; } = new("--smoothgrad-noise") { Description = "SmoothGrad noise, fraction of the input's value range, 0..10", DefaultValueFactory = _ => 0.15 };

    public Option<long> Seed { get; } = new("--seed") { Description = "Seed of random draws", DefaultValueFactory = _ => 0 };

    /// <summary>
    /// A <c>--methods</c> option: a comma-separated list of method ids or aliases, each checked against the registry
    /// at parse time; <paramref name="defaultIds"/> when not given (null: the registry's default methods).
    /// </summary>
    public static Option<string?> MethodList(string? defaultIds = null)
    {
        var option = new Option<string?>("--methods")
        {
            Description = $"Comma-separated methods: {string.Join(", ", MethodRegistry.All.Select(m => m.Id))} (aliases: {string.Join(", ", MethodRegistry.All.SelectMany(m => m.Aliases))}); default: {defaultIds ?? string.Join(",", MethodRegistry.DefaultIds)}",
        };
        if (defaultIds is not null) option.DefaultValueFactory = _ => defaultIds;
        option.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<string?>();
            if (value is null) return;
            var names = SplitList(value);
            if (names.Length == 0) result.AddError($"--methods '{value}' names no method; give a comma-separated list such as gradcam,integrated_gradients");
            foreach (var name in names.Where(n => MethodRegistry.TryFind(n) is null))
                result.AddError($"--methods: unknown method '{name}'; known: {string.Join(", ", MethodRegistry.All.Select(m => m.Id))}");
        });
        return option;
    }

    /// <summary>The names of a comma-separated list, trimmed, without empty entries.</summary>
    public static string[] SplitList(string value) => value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { TargetLayer, IgSteps, IgBaseline, IgMethod, SmoothGradSamples, SmoothGradNoise, Seed })
            command.Options.Add(option);
    }

    /// <summary>The method parameters the flags give.</summary>
    public ExplanationOptions Build(ParseResult parse) => ExplanationOptions.Default
        .With(new CamOptions { TargetLayer = parse.GetValue(TargetLayer) })
        .With(new IntegratedGradientsOptions
        {
            Steps = parse.GetValue(IgSteps),
            Baseline = parse.GetValue(IgBaseline),
            Integration = Quadrature.Parse(parse.GetValue(IgMethod)!),
            Seed = parse.GetValue(Seed),
        })
        .With(new SmoothGradOptions { Samples = parse.GetValue(SmoothGradSamples), NoiseLevel = parse.GetValue(SmoothGradNoise), Seed = parse.GetValue(Seed) });
}
