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
        var heatmap = integratedGradients.ExplainTargets(x, [new ClassTarget(targetClass)])[0];
        double sum = heatmap.Attributions!.Sum(v => (double)v), delta = heatmap.ConvergenceDelta!.Value;
        return new CompletenessResult
        {
            TargetClass = targetClass,
            Delta = delta,
            OutputDifference = sum - delta,
            Steps = integratedGradients.Steps,
            Integration = integratedGradients.Integration,
            Baseline = integratedGradients.Baseline,
        };
    }
}
