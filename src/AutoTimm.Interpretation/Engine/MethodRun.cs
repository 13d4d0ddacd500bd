using AutoTimm.Interpretation.Targets;
using AutoTimm.Models;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Engine;

/// <summary>
/// Several methods on one image in one session: methods that read the same layer share its forward and gradient
/// (through the session), and a method that does not apply or fails is recorded with its reason while the others
/// still run. What <c>Explain.CompareMethods</c> and <c>autotimm interpret</c> both run.
/// </summary>
internal static class MethodRun
{
    /// <summary>Runs <paramref name="methods"/> (ids or aliases) on one preprocessed input <c>[1,3,H,W]</c>.</summary>
    public static MethodRunResult Run(VisionModel model, Tensor input, IReadOnlyList<string> methods, IExplanationTarget? target, ExplanationOptions options,
        IProgress<WorkProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(methods);
        var descriptors = methods.Select(MethodRegistry.Get).DistinctBy(m => m.Id).ToList();
        if (descriptors.Count == 0) throw new ArgumentException("no methods given", nameof(methods));
        model.CheckInput(input);
        if (input.shape[0] != 1) throw new ArgumentException($"one image at a time; got a batch of {input.shape[0]}", nameof(input));

        var heatmaps = new Dictionary<string, Heatmap>();
        var errors = new Dictionary<string, string>();
        using var session = new ExplanationSession(model);
        using var scope = NewDisposeScope();
        var x = input.to(ScalarType.Float32, model.Device);
        int done = 0;
        foreach (var method in descriptors)
        {
            progress?.Report(new WorkProgress("explain", done++, descriptors.Count) { Detail = method.DisplayName });
            if (method.NotApplicableBecause(model) is { } why)
            {
                errors[method.Id] = $"{method.Id} does not apply: {why}";
                continue;
            }
            try
            {
                using var explainer = method.Create(model, options);
                var raw = session.Timed(method.Id, () => explainer.Compute(session, x, [target]));
                heatmaps[method.Id] = explainer.ToHeatmaps(session, raw).Single();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // One method failing (a native error, a layer it cannot read) never stops the others.
                errors[method.Id] = e.Message;
            }
        }
        progress?.Report(new WorkProgress("explain", descriptors.Count, descriptors.Count) { Detail = $"{heatmaps.Count} of {descriptors.Count} methods" });
        var prediction = session.Task.Summarize(session.Output(x)[0]);
        var resolved = target ?? session.Task.DefaultTarget(session.Output(x)[0]);
        return new MethodRunResult(heatmaps, errors, session.TimingsMs.ToDictionary(kv => kv.Key, kv => Math.Round(kv.Value, 1)), prediction, resolved);
    }
}

/// <summary>What <see cref="MethodRun.Run"/> produced.</summary>
internal sealed record MethodRunResult(
    IReadOnlyDictionary<string, Heatmap> Heatmaps, IReadOnlyDictionary<string, string> Errors, IReadOnlyDictionary<string, double> TimingsMs,
    PredictionSummary Prediction, IExplanationTarget Target);
