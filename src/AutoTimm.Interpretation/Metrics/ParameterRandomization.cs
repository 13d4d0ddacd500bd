using AutoTimm.Interpretation.Internal;
using AutoTimm.Interpretation.Methods;
using AutoTimm.Interpretation.Targets;
using AutoTimm.Models;
using TorchSharp;
using static TorchSharp.torch;
using AutoTimm.Native;

namespace AutoTimm.Interpretation.Metrics;

/// <summary>
/// Cascading model-parameter randomization (Adebayo et al. 2018). Layers are the modules that own parameters, taken in
/// reverse registration order (the classifier first, the stem last); each step re-initializes one more of them as
/// PyTorch's <c>reset_parameters</c> would (weights and biases uniform in <c>±1/sqrt(fan_in)</c>, normalization
/// scales 1 and shifts 0 with fresh running statistics, other parameters normal with std 0.02), from a seeded
/// generator, and explains the images again for the same classes. The model is shared state: every parameter and
/// buffer is copied first and written back in a <c>finally</c>, so the model is bit-identical afterwards, also when an
/// explanation fails; do not use the model elsewhere during the check.
/// </summary>
public static class ParameterRandomization
{
    /// <summary>Runs the cascade for a batch of preprocessed inputs <c>[N,3,H,W]</c>.</summary>
    /// <param name="explainer">The method, with its options.</param>
    /// <param name="inputs">The model inputs.</param>
    /// <param name="targetClasses">The class explained for each image, at every step.</param>
    /// <param name="options">Seed, steps, batch size; null for the defaults.</param>
    public static RandomizationResult Compute(Explainer explainer, Tensor inputs, IReadOnlyList<int> targetClasses, RandomizationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(explainer);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targetClasses);
        options ??= new RandomizationOptions();
        options.Validate();
        var model = explainer.Model;
        // Held for the whole cascade: no other call on this model may see its randomized weights.
        using var hold = new EvalModeScope(model);
        var targets = targetClasses.Select(c => (IExplanationTarget?)new ClassTarget(c)).ToArray();
        var layers = Layers(model, inputs.narrow(0, 0, 1));
        if (layers.Count == 0) throw new ArgumentException($"{model.Config.Arch} has no parameters to randomize", nameof(explainer));
        int count = Math.Min(layers.Count, options.MaxSteps ?? int.MaxValue);

        float[][] Explain() => explainer.ExplainTargets(inputs, targets, options.BatchSize).Select(h => h.Raw.Select(Math.Abs).ToArray()).ToArray();
        var original = Explain();
        var steps = new List<RandomizationStep>(count);
        using var saved = new ParameterSnapshot(model);
        try
        {
            for (int k = 0; k < count; k++)
            {
                Reinitialize(layers[k].Module, SeededNoise.SampleSeed(options.Seed, k));
                model.MarkWeightsChanged();
                var maps = Explain();
                steps.Add(new RandomizationStep(layers[k].Name, maps.Select((m, i) => Correlation(original[i], m, layers[k].Name)).ToArray()));
            }
        }
        finally
        {
            saved.Restore();
        }
        return new RandomizationResult { Method = explainer.Method, TargetClasses = targetClasses.ToArray(), Steps = steps, Options = options };
    }

    /// <summary>
    /// The modules that own parameters, top first: in the reverse of the order a forward pass runs them (so the
    /// classifier comes first whatever order the model registered its modules in), then those the forward does not
    /// reach one by one (such as a transformer's position embedding held by the model itself), randomized last.
    /// </summary>
    internal static IReadOnlyList<(string Name, nn.Module Module)> Layers(VisionModel model, Tensor probe)
    {
        var owners = model.named_modules().Where(m => m.module.named_parameters(recurse: false).Any())
            .Select(m => (Name: m.name.Length == 0 ? "(root)" : m.name, Module: m.module)).ToList();
        var executed = new List<string>();
        var hooks = owners.Where(o => o.Module is nn.Module<Tensor, Tensor> && o.Name != "(root)")
            .Select(o => ((nn.Module<Tensor, Tensor>)o.Module).register_forward_hook((_, _, output) =>
            {
                if (!executed.Contains(o.Name)) executed.Add(o.Name);
                return output;
            })).ToList();
        try
        {
            using var mode = new EvalModeScope(model);
            using var _ = no_grad();
            using var scope = NewDisposeScope();
            model.call(probe.to(ScalarType.Float32, model.Device));
        }
        finally
        {
            foreach (var hook in hooks) hook.remove();
        }
        var byName = owners.ToDictionary(o => o.Name, o => o.Module);
        return executed.AsEnumerable().Reverse().Concat(owners.Select(o => o.Name).Where(n => !executed.Contains(n)).Reverse())
            .Select(n => (n, byName[n])).ToList();
    }

    private static MetricValue Correlation(float[] original, float[] randomized, string layer)
    {
        if (original.All(v => v == original[0])) return MetricValue.Undefined("the original map is constant: a rank correlation is undefined");
        if (randomized.All(v => v == randomized[0]))
            return MetricValue.Undefined($"the map is constant once the layers down to {layer} are randomized (a CAM whose ReLU removes everything): a rank correlation is undefined");
        return Statistics.Spearman(original.Select(v => (double)v).ToArray(), randomized.Select(v => (double)v).ToArray());
    }

    /// <summary>Re-initializes one module's own parameters (and normalization statistics) from a seeded generator.</summary>
    internal static void Reinitialize(nn.Module module, long seed)
    {
        using var _ = no_grad();
        using var generator = new Generator(unchecked((ulong)seed));
        bool normalization = module is TorchSharp.Modules.BatchNorm1d or TorchSharp.Modules.BatchNorm2d or TorchSharp.Modules.BatchNorm3d
            or TorchSharp.Modules.LayerNorm or TorchSharp.Modules.GroupNorm;
        var own = module.named_parameters(recurse: false).ToList();
        var weight = own.FirstOrDefault(p => p.name == "weight").parameter;
        double fanIn = weight is not null && weight.dim() >= 2 ? weight.numel() / (double)weight.shape[0] : double.NaN;
        foreach (var (name, parameter) in own)
        {
            Tensor fresh;
            if (normalization) fresh = name == "weight" ? ones_like(parameter) : zeros_like(parameter);
            else if (double.IsFinite(fanIn) && (name == "weight" || name == "bias"))
            {
                using Scalar bound = 1 / Math.Sqrt(fanIn);
                fresh = rand(parameter.shape, generator: generator, dtype: ScalarType.Float32, device: CPU).mul(Scalars.Of(2)).sub(Scalars.One).mul(bound);
            }
            else fresh = randn(parameter.shape, generator: generator, dtype: ScalarType.Float32, device: CPU).mul(Scalars.Of(0.02));
            using (fresh) parameter.copy_(fresh.to(parameter.dtype, parameter.device));
        }
        if (!normalization) return;
        foreach (var (name, buffer) in module.named_buffers(recurse: false))
        {
            if (name == "running_mean") buffer.zero_();
            else if (name == "running_var") buffer.fill_(Scalars.One);
        }
    }
}
