using AutoTimm.Interpretation.Internal;
using AutoTimm.Interpretation.Methods;
using AutoTimm.Interpretation.Targets;
using static TorchSharp.torch;
using AutoTimm.Native;

namespace AutoTimm.Interpretation.Metrics;

/// <summary>
/// Max- and avg-sensitivity (Yeh et al. 2019; Captum's <c>sensitivity_max</c>): how much an explanation moves when the
/// input moves by uniform noise in an L-infinity ball of radius r, for the same target class. The explanation
/// <c>e</c> is the method's per-channel attributions where it has them (Integrated Gradients), as Captum's explanation
/// functions return, and its unnormalized map (<see cref="Heatmap.Raw"/>) otherwise. Perturbed copies are explained in
/// batches of <see cref="SensitivityOptions.BatchSize"/>, each batch's noise drawn for it alone.
/// </summary>
public static class Sensitivity
{
    /// <summary>Sensitivity of <paramref name="explainer"/>'s explanation of one preprocessed input.</summary>
    /// <param name="explainer">The method, with its options.</param>
    /// <param name="input">The model input <c>[1,3,H,W]</c> or <c>[3,H,W]</c>.</param>
    /// <param name="targetClass">The class explained, for the input and every perturbed copy.</param>
    /// <param name="options">Radius, samples, seed, batch size; null for Captum's defaults.</param>
    public static SensitivityResult Compute(Explainer explainer, Tensor input, int targetClass, SensitivityOptions? options = null) =>
        Compute(explainer, input, targetClass, options, reference: null);

    /// <summary>Sensitivity of an explanation already made of <paramref name="input"/> (<paramref name="reference"/>, or explained here when null).</summary>
    internal static SensitivityResult Compute(Explainer explainer, Tensor input, int targetClass, SensitivityOptions? options, Heatmap? reference)
    {
        options ??= new SensitivityOptions();
        options.Validate();
        return Compute(explainer, input, targetClass, options,
            (start, count, x) => cat(Enumerable.Range(start, count)
                .Select(k => SeededNoise.Uniform(x.shape, options.Radius, SeededNoise.SampleSeed(options.Seed, k), x.device)).ToArray(), 0), reference);
    }

    /// <summary>Sensitivity with the perturbations given: <paramref name="noise"/>(first, count, x) returns samples first..first+count-1.</summary>
    internal static SensitivityResult Compute(Explainer explainer, Tensor input, int targetClass, SensitivityOptions options, Func<int, int, Tensor, Tensor> noise,
        Heatmap? reference = null)
    {
        ArgumentNullException.ThrowIfNull(explainer);
        using var scope = NewDisposeScope();
        var x = MetricInput.Image(explainer.Model, input, targetClass, "sensitivity");
        var target = new ClassTarget(targetClass);
        var original = tensor(ExplanationOf(reference ?? explainer.ExplainTargets(x, [target])[0]), dtype: ScalarType.Float64, device: CPU);
        double norm = original.norm().item<double>();
        var perSample = new List<double>(options.Samples);
        foreach (var (start, count) in Engine.Chunks.Of(options.Samples, options.BatchSize))
        {
            using var chunk = NewDisposeScope();
            var perturbed = x.add(noise(start, count, x), Scalars.One);
            foreach (var heatmap in explainer.ExplainTargets(perturbed, Enumerable.Repeat<IExplanationTarget?>(target, count).ToArray(), count))
                perSample.Add((tensor(ExplanationOf(heatmap), dtype: ScalarType.Float64, device: CPU) - original).norm().item<double>());
        }
        var relative = perSample.Select(d => d / norm).ToArray();
        var undefined = norm == 0 ? MetricValue.Undefined("the explanation is zero everywhere: a relative change is undefined") : (MetricValue?)null;
        return new SensitivityResult
        {
            TargetClass = targetClass,
            PerSample = relative,
            Max = undefined ?? new MetricValue(relative.Max()),
            Average = undefined ?? new MetricValue(relative.Average()),
            Options = options,
        };
    }

    /// <summary>What the metric compares: per-channel attributions when the method has them, else the unnormalized map.</summary>
    internal static float[] ExplanationOf(Heatmap heatmap) => heatmap.Attributions ?? heatmap.Raw;
}
