using AutoTimm.Interpretation.Engine;
using AutoTimm.Interpretation.Internal;
using AutoTimm.Models;
using static TorchSharp.torch;
using AutoTimm.Native;

namespace AutoTimm.Interpretation.Metrics;

/// <summary>
/// Infidelity (Yeh et al. 2019), as Captum's <c>infidelity</c> with Gaussian perturbations: how well
/// <c>sum(I * a)</c> predicts the score change <c>f(x) - f(x - I)</c>. Attributions are per input element
/// <c>[3*H*W]</c> (Integrated Gradients' <see cref="Heatmap.Attributions"/>) or a map <c>[H*W]</c> shared by the three
/// channels. All perturbed images run through the step batcher.
/// </summary>
public static class Infidelity
{
    /// <summary>Infidelity of one attribution of one preprocessed input.</summary>
    /// <param name="model">The classifier.</param>
    /// <param name="input">The model input that was explained.</param>
    /// <param name="attributions">Per-element attributions <c>[3*H*W]</c> or a map <c>[H*W]</c>, row-major.</param>
    /// <param name="targetClass">The class whose score is tracked.</param>
    /// <param name="options">Noise, samples, normalization, score; null for the defaults.</param>
    public static InfidelityResult Compute(VisionModel model, Tensor input, IReadOnlyList<float> attributions, int targetClass, InfidelityOptions? options = null)
    {
        options ??= new InfidelityOptions();
        options.Validate();
        return Compute(model, input, attributions, targetClass, options,
            (start, count, x) => cat(Enumerable.Range(start, count)
                .Select(k => SeededNoise.Normal(x.shape, SeededNoise.SampleSeed(options.Seed, k), x.device).mul(Scalars.Of(options.NoiseStd))).ToArray(), 0));
    }

    /// <summary>Infidelity with the perturbations given: <paramref name="noise"/>(first, count, x) returns samples first..first+count-1.</summary>
    internal static InfidelityResult Compute(VisionModel model, Tensor input, IReadOnlyList<float> attributions, int targetClass, InfidelityOptions options,
        Func<int, int, Tensor, Tensor> noise)
    {
        ArgumentNullException.ThrowIfNull(attributions);
        using var scope = NewDisposeScope();
        var x = MetricInput.Image(model, input, targetClass, "infidelity");
        long h = x.shape[2], w = x.shape[3];
        if (attributions.Count != 3 * h * w && attributions.Count != h * w)
            throw new ArgumentException($"{attributions.Count} attributions for a 3x{h}x{w} input: give 3*H*W = {3 * h * w} (per element) or H*W = {h * w} (a map)", nameof(attributions));
        if (attributions.Any(v => !float.IsFinite(v))) throw new ArgumentException("the attributions contain NaN or Inf", nameof(attributions));
        var a = tensor(attributions.ToArray(), device: x.device).reshape(1, attributions.Count == h * w ? 1 : 3, h, w).expand_as(x);

        using var mode = new EvalModeScope(model);
        using var _ = inference_mode();
        var baseScore = MetricInput.Scores(model, x, targetClass, options.Score).to(ScalarType.Float64);
        // Per row: sum(I * a) and f(x) - f(x - I), collected as two columns.
        var columns = StepBatcher.CollectSteps(1, options.Samples, options.BatchSize, rows =>
        {
            var perturbation = noise(rows.Start, rows.Count, x);
            var dot = (perturbation * a).sum([1L, 2L, 3L]).to(ScalarType.Float64);
            var change = baseScore - MetricInput.Scores(model, x - perturbation, targetClass, options.Score).to(ScalarType.Float64);
            return stack([dot, change], 1);
        }).reshape(-1, 2);
        var dots = columns.select(1, 0).CopyToArray<double>();
        var changes = columns.select(1, 1).CopyToArray<double>();

        // Zero attributions predict no change: beta 0 (Captum's safe division), not undefined.
        double dd = dots.Sum(d => d * d);
        double beta = !options.Normalize ? 1 : dd == 0 ? 0 : dots.Zip(changes, (d, c) => d * c).Sum() / dd;
        var value = new MetricValue(dots.Zip(changes, (d, c) => Math.Pow(beta * d - c, 2)).Average());
        return new InfidelityResult
        {
            TargetClass = targetClass, Value = value, AttributionDotPerturbation = dots, ScoreChange = changes, Beta = beta, Options = options,
        };
    }
}
