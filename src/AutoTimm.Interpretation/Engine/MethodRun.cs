using AutoTimm.Diagnostics;
using AutoTimm.Interpretation.Targets;
using AutoTimm.Models;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Engine;

/// <summary>
/// Several methods on a batch of images in one session: methods that read the same layer share its forward and
/// gradient (through the session), and a method that does not apply or fails is recorded with its reason while the
/// others still run. When a method fails on a batch of several images, each image is retried alone, so one bad image
/// does not cost its batch-mates their explanation. What <c>Explain.CompareMethods</c>, <c>autotimm interpret</c> and
/// <c>autotimm explain-batch</c> run.
/// </summary>
internal static class MethodRun
{
    /// <summary>Runs <paramref name="methods"/> (ids or aliases) on one preprocessed input <c>[1,3,H,W]</c>.</summary>
    public static MethodRunResult Run(VisionModel model, Tensor input, IReadOnlyList<string> methods, IExplanationTarget? target, ExplanationOptions options,
        IProgress<WorkProgress>? progress = null, Batch.ExplanationCache? cache = null, PerformanceProfiler? profiler = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.dim() != 4 || input.shape[0] != 1) throw new ArgumentException($"one image at a time; got a tensor of shape [{string.Join(",", input.shape)}]", nameof(input));
        return RunBatch(model, input, methods, [target], options, progress, profiler, cache)[0];
    }

    /// <summary>Runs <paramref name="methods"/> on preprocessed inputs <c>[N,3,H,W]</c>, one target per image (null: the task's default).</summary>
    public static IReadOnlyList<MethodRunResult> RunBatch(VisionModel model, Tensor inputs, IReadOnlyList<string> methods, IReadOnlyList<IExplanationTarget?> targets,
        ExplanationOptions options, IProgress<WorkProgress>? progress = null, PerformanceProfiler? profiler = null, Batch.ExplanationCache? cache = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(methods);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(options);
        var descriptors = methods.Select(MethodRegistry.Get).DistinctBy(m => m.Id).ToList();
        if (descriptors.Count == 0) throw new ArgumentException("no methods given", nameof(methods));
        model.CheckInput(inputs);
        int n = (int)inputs.shape[0];
        if (targets.Count != n) throw new ArgumentException($"{targets.Count} targets given for {n} images: give exactly one target per image", nameof(targets));

        cache ??= Batch.ExplanationCache.Global;
        var heatmaps = Enumerable.Range(0, n).Select(_ => new Dictionary<string, Heatmap>()).ToArray();
        var errors = Enumerable.Range(0, n).Select(_ => new Dictionary<string, string>()).ToArray();
        using var session = new ExplanationSession(model) { Profiler = profiler };
        using var scope = NewDisposeScope();
        var x = inputs.to(ScalarType.Float32, model.Device);
        int done = 0;
        foreach (var method in descriptors)
        {
            progress?.Report(new WorkProgress("explain", done++, descriptors.Count) { Detail = method.DisplayName });
            if (method.NotApplicableBecause(model) is { } why)
            {
                foreach (var e in errors) e[method.Id] = $"{method.Id} does not apply: {why}";
                continue;
            }
            try
            {
                using var explainer = method.Instantiate(model, options);
                var lookup = Batch.ExplanationCache.Lookup(cache, explainer, session.Task, x, targets);
                if (lookup.Missing.Length > 0)
                {
                    var rows = lookup.MissingRows(x);
                    foreach (var (j, heatmap, error) in Explain(session, explainer, rows, [.. lookup.Missing.Select(i => targets[i])], 0))
                    {
                        if (heatmap is not null) lookup.Computed(lookup.Missing[j], heatmap);
                        else errors[lookup.Missing[j]][method.Id] = error!;
                    }
                }
                for (int i = 0; i < n; i++)
                    if (lookup.Found[i] is { } heatmap) heatmaps[i][method.Id] = heatmap;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Creating the method failed (a layer it cannot resolve): the same for every image.
                foreach (var error in errors) error[method.Id] = e.Message;
            }
        }
        progress?.Report(new WorkProgress("explain", descriptors.Count, descriptors.Count) { Detail = $"{heatmaps.Sum(h => h.Count)} of {descriptors.Count * n} explanations" });
        // Each image's prediction and target come with its heatmaps (a cached one included); the model runs again
        // only for images no method explained.
        Tensor? output = null;
        (PredictionSummary, IExplanationTarget) Outcome(int i)
        {
            if (heatmaps[i].Values.FirstOrDefault() is { } heatmap) return (heatmap.Prediction, heatmap.Target);
            output ??= session.Output(x);
            return (session.Task.Summarize(output[i]), targets[i] ?? session.Task.DefaultTarget(output[i]));
        }
        var timings = session.TimingsMs.ToDictionary(kv => kv.Key, kv => Math.Round(kv.Value / n, 1));
        return Enumerable.Range(0, n)
            .Select(i =>
            {
                var (prediction, target) = Outcome(i);
                return new MethodRunResult(heatmaps[i], errors[i], timings.Where(kv => heatmaps[i].ContainsKey(kv.Key)).ToDictionary(), prediction, target);
            })
            .ToList();
    }

    // The method on rows [offset, offset + N) of the call: each row's heatmap, or why it failed. A failing batch is
    // split into single images.
    private static List<(int Index, Heatmap? Heatmap, string? Error)> Explain(ExplanationSession session, Methods.Explainer explainer, Tensor x,
        IReadOnlyList<IExplanationTarget?> targets, int offset)
    {
        List<Heatmap> maps;
        try
        {
            maps = [.. explainer.ToHeatmaps(session, session.Timed(explainer.Method, () => explainer.Compute(session, x, [.. targets])))];
        }
        catch (Exception e) when (e is not OutOfMemoryException && x.shape[0] > 1)
        {
            var alone = new List<(int, Heatmap?, string?)>();
            for (int i = 0; i < x.shape[0]; i++)
                alone.AddRange(Explain(session, explainer, x.narrow(0, i, 1), [targets[i]], offset + i));
            return alone;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return [(offset, null, e.Message)];
        }
        return maps.Select((heatmap, i) => (offset + i, (Heatmap?)heatmap, (string?)null)).ToList();
    }
}

/// <summary>What <see cref="MethodRun"/> produced for one image.</summary>
internal sealed record MethodRunResult(
    IReadOnlyDictionary<string, Heatmap> Heatmaps, IReadOnlyDictionary<string, string> Errors, IReadOnlyDictionary<string, double> TimingsMs,
    PredictionSummary Prediction, IExplanationTarget Target);
