using AutoTimm.Interpretation.Targets;
using AutoTimm.Models;
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
            tensor(p.Mean.Zip(p.Std, (m, s) => (pixel - m) / s).ToArray()).reshape(1, 3, 1, 1).to_type(inputs.dtype).expand_as(inputs).clone();
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
                var pixels = rand(inputs.shape, generator: generator, dtype: inputs.dtype);
                var mean = tensor(p.Mean).reshape(1, 3, 1, 1).to_type(inputs.dtype);
                var std = tensor(p.Std).reshape(1, 3, 1, 1).to_type(inputs.dtype);
                return (pixels - mean) / std;
            }
            default:
                var custom = _customBaseline!.dim() == 3 ? _customBaseline.unsqueeze(0) : _customBaseline;
                if (custom.dim() != 4 || custom.shape[1] != 3 || custom.shape[2] != inputs.shape[2] || custom.shape[3] != inputs.shape[3]
                    || (custom.shape[0] != 1 && custom.shape[0] != inputs.shape[0]))
                    throw new ArgumentException($"custom baseline of shape [{string.Join(",", custom.shape)}] does not fit inputs [{string.Join(",", inputs.shape)}]");
                return custom.to_type(inputs.dtype).expand_as(inputs).clone();
        }
    }

    internal override RawExplanation Compute(Tensor inputs, IReadOnlyList<IExplanationTarget?> targets)
    {
        int n = (int)inputs.shape[0];
        var baseline = BaselineFor(inputs);
        Tensor logits, baselineLogits;
        using (no_grad())
        {
            logits = Model.call(inputs);
            baselineLogits = Model.call(baseline);
        }
        var resolved = ResolveTargets(targets, logits);
        var (alphas, weights) = Quadrature.Rule(Integration, Steps);
        var difference = inputs - baseline;
        var integral = zeros_like(inputs);

        using (enable_grad())
        {
            foreach (var (start, count) in Chunks.Of(n * Steps, InternalBatchSize))
            {
                using var scope = NewDisposeScope();
                var rows = Enumerable.Range(start, count).ToArray();
                var imageIndex = tensor(rows.Select(r => (long)(r / Steps)).ToArray());
                var alpha = tensor(rows.Select(r => (float)alphas[r % Steps]).ToArray()).reshape(-1, 1, 1, 1).to_type(inputs.dtype);
                var weight = tensor(rows.Select(r => (float)weights[r % Steps]).ToArray()).reshape(-1, 1, 1, 1).to_type(inputs.dtype);
                var points = (baseline.index_select(0, imageIndex) + alpha * difference.index_select(0, imageIndex)).detach().requires_grad_(true);
                var output = Model.call(points);
                var rowTargets = rows.Select(r => resolved[r / Steps]).ToArray();
                var score = SumScores(output, rowTargets);
                GradientGuard.Check(score, "the target score");
                var gradient = torch.autograd.grad([score], [points])[0];
                integral.index_add_(0, imageIndex, gradient * weight, 1);
            }
        }

        var attributions = difference * integral;
        var deltas = new double[n];
        for (int i = 0; i < n; i++)
        {
            double change = resolved[i].Score(logits[i]).item<float>() - resolved[i].Score(baselineLogits[i]).item<float>();
            deltas[i] = attributions[i].sum().item<float>() - change;
        }
        return new RawExplanation(attributions.abs().sum(1), logits, ClassesOf(resolved))
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
}
