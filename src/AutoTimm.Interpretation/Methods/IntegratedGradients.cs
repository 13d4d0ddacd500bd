using AutoTimm.Interpretation.Engine;
using AutoTimm.Interpretation.Targets;
using AutoTimm.Models;
using AutoTimm.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Methods;

/// <summary>
/// Integrated Gradients (Sundararajan et al. 2017): attributions <c>(x - x') * integral of dF/dx along the straight
/// path from the baseline x' to x</c>. Path points of all images are evaluated together in chunks of
/// <see cref="InternalBatchSize"/>; gradients are taken with respect to the inputs only. Each heatmap carries the
/// per-channel attributions and the completeness error <c>sum(attr) - (F(x) - F(x'))</c>.
/// </summary>
public sealed class IntegratedGradients : Explainer
{
    private readonly Tensor? _customBaseline;

    /// <summary>Creates the explainer.</summary>
    /// <param name="model">Model to explain.</param>
    /// <param name="baseline">Kind of baseline.</param>
    /// <param name="steps">Path points.</param>
    /// <param name="method">Quadrature rule.</param>
    /// <param name="internalBatchSize">Path points per forward/backward: bounds memory.</param>
    /// <param name="customBaseline">Baseline tensor <c>[3,H,W]</c>, <c>[1,3,H,W]</c> or one per image, for <see cref="IgBaseline.Custom"/>.</param>
    /// <param name="seed">Seed of the random baseline.</param>
    public IntegratedGradients(VisionModel model, IgBaseline baseline = IgBaseline.Black, int steps = 50,
        IntegrationMethod method = IntegrationMethod.GaussLegendre, int internalBatchSize = 32, Tensor? customBaseline = null, long seed = 0)
        : base(model)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(internalBatchSize, 1);
        if (baseline == IgBaseline.Custom && customBaseline is null)
            throw new ArgumentException("a custom baseline needs the baseline tensor", nameof(customBaseline));
        Baseline = baseline;
        Steps = steps;
        Integration = method;
        InternalBatchSize = internalBatchSize;
        Seed = seed;
        _customBaseline = customBaseline?.detach().clone();
    }

    /// <summary>Creates the explainer from a baseline name: black, white, blur, random or zeros.</summary>
    public IntegratedGradients(VisionModel model, string baseline, int steps = 50)
        : this(model, ParseBaseline(baseline), steps) { }

    /// <summary>Kind of baseline.</summary>
    public IgBaseline Baseline { get; }

    /// <summary>Path points.</summary>
    public int Steps { get; }

    /// <summary>Quadrature rule.</summary>
    public IntegrationMethod Integration { get; }

    /// <summary>Path points per forward/backward.</summary>
    public int InternalBatchSize { get; }

    /// <summary>Seed of the random baseline.</summary>
    public long Seed { get; }

    /// <inheritdoc/>
    public override string Method => "integrated_gradients";

    /// <summary>Parses a baseline name (case-insensitive).</summary>
    public static IgBaseline ParseBaseline(string name) =>
        Enum.TryParse<IgBaseline>(name, ignoreCase: true, out var b) && b != IgBaseline.Custom
            ? b
            : throw new ArgumentException($"unknown baseline '{name}'; known: black, white, blur, random, zeros", nameof(name));

    /// <summary>The baseline for a batch of inputs, in model-input space.</summary>
    public Tensor BaselineFor(Tensor inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var p = Model.Config.Preprocess;
        Tensor PixelConstant(float pixel) =>
            tensor(p.Mean.Zip(p.Std, (m, s) => (pixel - m) / s).ToArray(), device: inputs.device).reshape(1, 3, 1, 1).to_type(inputs.dtype).expand_as(inputs).clone();
        switch (Baseline)
        {
            case IgBaseline.Black: return PixelConstant(0f);
            case IgBaseline.White: return PixelConstant(1f);
            case IgBaseline.Zeros: return zeros_like(inputs);
            case IgBaseline.Blur:
                double sigma = Math.Min(inputs.shape[2], inputs.shape[3]) / 8.0;
                return GaussianBlur.Apply(inputs, 2 * (int)Math.Ceiling(3 * sigma) + 1, sigma);
            case IgBaseline.Random:
            {
                using var generator = new Generator((ulong)Seed);
                var pixels = rand(inputs.shape, generator: generator, dtype: inputs.dtype).to(inputs.device);
                var mean = tensor(p.Mean, device: inputs.device).reshape(1, 3, 1, 1).to_type(inputs.dtype);
                var std = tensor(p.Std, device: inputs.device).reshape(1, 3, 1, 1).to_type(inputs.dtype);
                return (pixels - mean) / std;
            }
            default:
                var custom = _customBaseline!.dim() == 3 ? _customBaseline.unsqueeze(0) : _customBaseline;
                if (custom.dim() != 4 || custom.shape[1] != 3 || custom.shape[2] != inputs.shape[2] || custom.shape[3] != inputs.shape[3]
                    || (custom.shape[0] != 1 && custom.shape[0] != inputs.shape[0]))
                    throw new ArgumentException($"custom baseline of shape [{string.Join(",", custom.shape)}] does not fit inputs [{string.Join(",", inputs.shape)}]");
                return custom.to(inputs.dtype, inputs.device).expand_as(inputs).clone();
        }
    }

    internal override bool RecordsWholeForward => true;

    /// <inheritdoc/>
    public override RawExplanation Compute(ExplanationSession session, Tensor inputs, IReadOnlyList<IExplanationTarget?> targets)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(inputs);
        int n = (int)inputs.shape[0];
        var baseline = BaselineFor(inputs);
        var output = session.Output(inputs);
        Tensor baselineOutput;
        using (no_grad()) baselineOutput = Model.call(baseline);
        var resolved = session.ResolveTargets(output, targets);
        var (alphas, weights) = Quadrature.Rule(Integration, Steps);
        var difference = inputs.add(baseline, Scalars.Of(-1));

        // Path points are built per chunk of at most InternalBatchSize rows (fewer when the memory budget says so);
        // only the running integral stays.
        var integral = StepBatcher.SumOverSteps(n, Steps, MemoryBudget.RowsFor(Model, inputs, InternalBatchSize), rows =>
        {
            var images = tensor(rows.Images.Select(i => (long)i).ToArray(), device: inputs.device);
            var steps = rows.StepIndices;
            var alpha = tensor(steps.Select(k => (float)alphas[k]).ToArray(), device: inputs.device).reshape(-1, 1, 1, 1).to_type(inputs.dtype);
            var weight = tensor(steps.Select(k => (float)weights[k]).ToArray(), device: inputs.device).reshape(-1, 1, 1, 1).to_type(inputs.dtype);
            var points = baseline.index_select(0, images).add(alpha * difference.index_select(0, images), Scalars.One);
            var (_, gradient) = session.InputGradients(points, rows.Images.Select(i => resolved[i]).ToArray());
            return gradient * weight;
        });

        var attributions = difference * integral;
        // Computed on the model's device: the host reads them only when the heatmaps are made.
        var change = stack(Enumerable.Range(0, n).Select(i => resolved[i].Score(output[i]).add(resolved[i].Score(baselineOutput[i]), Scalars.Of(-1))).ToArray());
        var deltas = attributions.sum([1, 2, 3]).add(change, Scalars.Of(-1));
        return new RawExplanation(attributions.abs().sum(1), output, resolved)
        {
            Attributions = attributions,
            Deltas = deltas,
        };
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing) _customBaseline?.Dispose();
        base.Dispose(disposing);
    }

    /// <summary>The registry's entry.</summary>
    public static MethodDescriptor Descriptor { get; } = new("integrated_gradients", "Integrated Gradients", typeof(IntegratedGradientsOptions),
        (model, options) =>
        {
            var o = options.Get<IntegratedGradientsOptions>();
            return new IntegratedGradients(model, o.Baseline, o.Steps, o.Integration, o.InternalBatchSize, seed: o.Seed);
        })
    {
        Aliases = ["ig", "integratedgradients"],
        Summary = "(x - baseline) times the path integral of the input gradient",
    };
}

/// <summary>Options of <see cref="IntegratedGradients"/>.</summary>
public sealed record IntegratedGradientsOptions : IMethodOptions
{
    /// <summary>Most path points accepted: more buys no accuracy Gauss-Legendre does not reach with far fewer.</summary>
    public const int MaxSteps = 10_000;

    /// <summary>Kind of baseline.</summary>
    public IgBaseline Baseline { get; init; } = IgBaseline.Black;

    /// <summary>Path points, 1..<see cref="MaxSteps"/>.</summary>
    public int Steps { get; init; } = 50;

    /// <summary>Quadrature rule.</summary>
    public IntegrationMethod Integration { get; init; } = IntegrationMethod.GaussLegendre;

    /// <summary>Path points per forward/backward: bounds memory.</summary>
    public int InternalBatchSize { get; init; } = 32;

    /// <summary>Seed of the random baseline.</summary>
    public long Seed { get; init; }

    /// <inheritdoc/>
    public void Validate()
    {
        if (Steps is < 1 or > MaxSteps)
            throw new ArgumentOutOfRangeException(nameof(Steps), Steps, $"Integrated Gradients steps must be in 1..{MaxSteps}");
        if (InternalBatchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(InternalBatchSize), InternalBatchSize, "the internal batch size must be at least 1");
        if (!Enum.IsDefined(Baseline) || Baseline == IgBaseline.Custom)
            throw new ArgumentOutOfRangeException(nameof(Baseline), Baseline, "baseline must be black, white, blur, random or zeros (a custom baseline is given to the IntegratedGradients constructor)");
        if (!Enum.IsDefined(Integration))
            throw new ArgumentOutOfRangeException(nameof(Integration), Integration, "unknown quadrature");
    }
}
