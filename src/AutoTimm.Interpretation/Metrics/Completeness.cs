using AutoTimm.Interpretation.Methods;
using AutoTimm.Interpretation.Targets;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Metrics;

/// <summary>The completeness axiom of Integrated Gradients, checked on an explanation of one input.</summary>
public static class Completeness
{
    /// <summary>Explains <paramref name="input"/> with <paramref name="integratedGradients"/> and reports how far its attributions miss <c>f(x) - f(x')</c>.</summary>
    /// <param name="integratedGradients">The explainer, with its steps, rule and baseline.</param>
    /// <param name="input">The model input <c>[1,3,H,W]</c> or <c>[3,H,W]</c>.</param>
    /// <param name="targetClass">The class whose logit is integrated.</param>
    public static CompletenessResult Compute(IntegratedGradients integratedGradients, Tensor input, int targetClass)
    {
        ArgumentNullException.ThrowIfNull(integratedGradients);
        using var scope = NewDisposeScope();
        var x = MetricInput.Image(integratedGradients.Model, input, targetClass, "completeness");
        return Of(integratedGradients, integratedGradients.ExplainTargets(x, [new ClassTarget(targetClass)])[0]);
    }

    /// <summary>Completeness of an explanation <paramref name="integratedGradients"/> already made: no second integration.</summary>
    /// <exception cref="ArgumentException">The heatmap has no attributions or completeness error (another method made it).</exception>
    public static CompletenessResult Of(IntegratedGradients integratedGradients, Heatmap heatmap)
    {
        ArgumentNullException.ThrowIfNull(integratedGradients);
        ArgumentNullException.ThrowIfNull(heatmap);
        if (heatmap.Attributions is not { } attributions || heatmap.ConvergenceDelta is not { } delta || heatmap.TargetClass is not { } target)
            throw new ArgumentException($"a {heatmap.Method} heatmap carries no Integrated Gradients attributions and completeness error", nameof(heatmap));
        return new CompletenessResult
        {
            TargetClass = target,
            Delta = delta,
            OutputDifference = attributions.Sum(v => (double)v) - delta,
            Steps = integratedGradients.Steps,
            Integration = integratedGradients.Integration,
            Baseline = integratedGradients.Baseline,
        };
    }
}
