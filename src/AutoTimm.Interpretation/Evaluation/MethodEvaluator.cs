using System.Diagnostics;
using AutoTimm.Interpretation.Engine;
using AutoTimm.Interpretation.Methods;
using AutoTimm.Interpretation.Metrics;
using AutoTimm.Interpretation.Targets;
using AutoTimm.Models;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Evaluation;

/// <summary>
/// Runs a comparison: each method explains every image in batches (timed), then every selected metric scores each
/// explanation on the very tensor that was explained; randomization runs once per method on the first images.
/// </summary>
internal sealed class MethodEvaluator(ImageClassifier model, IReadOnlyList<EvaluationSample> samples, EvaluationOptions options, IProgress<WorkProgress>? progress)
{
    private readonly IReadOnlyList<string> _groups = options.Groups;

    public MethodComparison Run(IReadOnlyList<string> methods)
    {
        var ids = methods.Select(m => MethodRegistry.Get(m).Id).Distinct().ToList();
        var results = ids.Select(Evaluate).ToList();
        return new MethodComparison
        {
            Arch = model.Config.Arch,
            Images = samples.Count,
            Metrics = _groups,
            Methods = results,
            Options = options,
        };
    }

    private bool Has(string group) => _groups.Contains(group);

    /// <summary>Samples start..start+count-1 as one preprocessed batch (a tensor of the caller's dispose scope) and their targets: the label, or the prediction when there is none.</summary>
    private (Tensor Inputs, IExplanationTarget?[] Targets) Batch(int start, int count)
    {
        var chosen = samples.Skip(start).Take(count).ToList();
        return (cat(chosen.Select(s => s.Image.ToModelInput(model.Config.Preprocess, model.Device)).ToArray(), 0),
            chosen.Select(s => s.Label is { } l ? (IExplanationTarget?)new ClassTarget(l) : null).ToArray());
    }

    private MethodEvaluation Evaluate(string id)
    {
        var descriptor = MethodRegistry.Get(id);
        var parameters = Parameters(descriptor);
        var values = _groups.SelectMany(EvaluationMetric.ScoresOf).ToDictionary(s => s.Score, _ => new List<MetricValue>());
        string stage = $"{descriptor.DisplayName}";
        Explainer explainer;
        try
        {
            explainer = MethodRegistry.Create(id, model, options.MethodOptions);
        }
        catch (Exception e) when (e is NotSupportedException or ArgumentException)
        {
            progress?.Report(new WorkProgress(stage, samples.Count, samples.Count) { Detail = "not applicable" });
            return Failed(descriptor, parameters, e.Message);
        }
        using var _ = explainer;
        var explainClock = new Stopwatch();
        var metricClock = new Stopwatch();
        var deletionCurves = new List<IReadOnlyList<double>>();
        var insertionCurves = new List<IReadOnlyList<double>>();
        var randomizationInputs = new List<Tensor>();
        var randomizationTargets = new List<int>();
        try
        {
            // One untimed batch first: the first calls in a process pay one-time set-up (kernels chosen for the batch shape), not the method.
            using (var warm = NewDisposeScope())
            {
                var (first, firstTargets) = Batch(0, Math.Min(options.BatchSize, samples.Count));
                explainer.ExplainTargets(first, firstTargets, options.BatchSize);
            }
            int done = 0;
            foreach (var (start, count) in Chunks.Of(samples.Count, options.BatchSize))
            {
                using var scope = NewDisposeScope();
                var (inputs, targets) = Batch(start, count);
                explainClock.Start();
                var heatmaps = explainer.ExplainTargets(inputs, targets, options.BatchSize);
                explainClock.Stop();
                for (int i = 0; i < count; i++)
                {
                    var input = inputs.narrow(0, i, 1);
                    var heatmap = heatmaps[i];
                    int target = heatmap.TargetClass!.Value;
                    metricClock.Start();
                    Score(explainer, samples[start + i], input, heatmap, target, values, deletionCurves, insertionCurves);
                    metricClock.Stop();
                    if (Has(EvaluationMetric.Randomization) && randomizationInputs.Count < options.RandomizationImages)
                    {
                        randomizationInputs.Add(input.detach().clone().DetachFromDisposeScope());
                        randomizationTargets.Add(target);
                    }
                    progress?.Report(new WorkProgress(stage, ++done, samples.Count + (Has(EvaluationMetric.Randomization) ? 1 : 0)));
                }
            }
            RandomizationResult? randomization = null;
            if (Has(EvaluationMetric.Randomization))
            {
                using var batch = cat(randomizationInputs, 0);
                metricClock.Start();
                randomization = ParameterRandomization.Compute(explainer, batch, randomizationTargets, options.Randomization with { BatchSize = options.BatchSize });
                metricClock.Stop();
                values["randomization_final"].AddRange(randomization.Final);
                progress?.Report(new WorkProgress(stage, samples.Count + 1, samples.Count + 1));
            }
            return new MethodEvaluation
            {
                Method = id,
                DisplayName = descriptor.DisplayName,
                MillisecondsPerImage = explainClock.Elapsed.TotalMilliseconds / samples.Count,
                MetricMillisecondsPerImage = metricClock.Elapsed.TotalMilliseconds / samples.Count,
                Scores = Summaries(values),
                DeletionCurve = MeanCurve(deletionCurves),
                InsertionCurve = MeanCurve(insertionCurves),
                RandomizationCurve = randomization?.Steps.Select(s => s.MeanCorrelation).ToArray(),
                RandomizationLayers = randomization?.Steps.Select(s => s.Layer).ToArray(),
                Parameters = parameters,
            };
        }
        finally
        {
            foreach (var t in randomizationInputs) t.Dispose();
        }
    }

    private void Score(Explainer explainer, EvaluationSample sample, Tensor input, Heatmap heatmap, int target, Dictionary<string, List<MetricValue>> values,
        List<IReadOnlyList<double>> deletionCurves, List<IReadOnlyList<double>> insertionCurves)
    {
        if (Has(EvaluationMetric.Deletion) || Has(EvaluationMetric.Insertion))
        {
            var (deletion, insertion) = DeletionInsertion.Compute(model, input, heatmap.Values, target, options.Perturbation);
            if (Has(EvaluationMetric.Deletion))
            {
                values["deletion_auc"].Add(new MetricValue(deletion.Auc));
                deletionCurves.Add(deletion.Scores);
            }
            if (Has(EvaluationMetric.Insertion))
            {
                values["insertion_auc"].Add(new MetricValue(insertion.Auc));
                insertionCurves.Add(insertion.Scores);
            }
        }
        if (Has(EvaluationMetric.Road))
        {
            var road = Road.Compute(model, input, heatmap.Values, target, options.Road);
            values["road_morf"].Add(new MetricValue(road.MostRelevantFirstMean));
            values["road_lerf"].Add(new MetricValue(road.LeastRelevantFirstMean));
            values["road_combined"].Add(new MetricValue(road.Combined));
        }
        if (Has(EvaluationMetric.FaithfulnessCorrelation))
            values["faithfulness_correlation"].Add(FaithfulnessCorrelation.Compute(model, input, heatmap.Values, target, options.FaithfulnessCorrelation).Correlation);
        if (Has(EvaluationMetric.Sensitivity))
        {
            var sensitivity = Sensitivity.Compute(explainer, input, target, options.Sensitivity with { BatchSize = options.BatchSize }, heatmap);
            values["max_sensitivity"].Add(sensitivity.Max);
            values["avg_sensitivity"].Add(sensitivity.Average);
        }
        if (Has(EvaluationMetric.Infidelity))
            values["infidelity"].Add(Infidelity.Compute(model, input, Metrics.Sensitivity.ExplanationOf(heatmap), target, options.Infidelity).Value);
        if (Has(EvaluationMetric.Localization))
        {
            if (sample.Region is { } region)
            {
                double tolerance = options.PointingTolerance ?? 15.0 * Math.Min(heatmap.Height, heatmap.Width) / 224;
                var scores = LocalizationMetrics.All(heatmap.Values, region, tolerance, options.IouThreshold);
                values["pointing_game"].Add(scores.PointingGame);
                values["relevance_mass"].Add(scores.MassInside);
                values["rank_accuracy"].Add(scores.RankAccuracy);
                values["iou"].Add(scores.Iou);
                values["best_iou"].Add(scores.BestIou);
            }
            else
                foreach (var key in new[] { "pointing_game", "relevance_mass", "rank_accuracy", "iou", "best_iou" })
                    values[key].Add(MetricValue.Undefined("the image has no ground-truth region"));
        }
        if (Has(EvaluationMetric.Completeness))
            values["completeness_relative"].Add(explainer is IntegratedGradients ig
                ? Completeness.Of(ig, heatmap).Relative
                : MetricValue.Undefined("completeness is an axiom of Integrated Gradients only"));
    }

    private Dictionary<string, MetricSummary> Summaries(Dictionary<string, List<MetricValue>> values) =>
        _groups.SelectMany(EvaluationMetric.ScoresOf).ToDictionary(s => s.Score, s =>
        {
            var all = values[s.Score];
            var defined = all.Where(v => v.IsDefined).Select(v => v.Value).ToArray();
            var (low, high) = Statistics.BootstrapMean(defined, options.ConfidenceLevel, options.BootstrapResamples);
            bool any = defined.Length > 0;
            return new MetricSummary
            {
                Mean = any ? defined.Average() : null,
                Std = any ? Statistics.StandardDeviation(defined) : null,
                CiLow = any ? low : null,
                CiHigh = any ? high : null,
                Count = defined.Length,
                Undefined = all.Count - defined.Length,
                Reasons = all.Where(v => !v.IsDefined).Select(v => v.Reason!).Distinct().ToArray(),
                HigherIsBetter = s.HigherIsBetter,
            };
        });

    private static double[]? MeanCurve(List<IReadOnlyList<double>> curves) =>
        curves.Count == 0 ? null : Enumerable.Range(0, curves[0].Count).Select(k => curves.Average(c => c[k])).ToArray();

    private IReadOnlyDictionary<string, object> Parameters(MethodDescriptor descriptor)
    {
        var record = options.MethodOptions.Records.FirstOrDefault(r => r.GetType() == descriptor.OptionsType)
            ?? Activator.CreateInstance(descriptor.OptionsType)!;
        return new Dictionary<string, object> { ["options"] = record };
    }

    private MethodEvaluation Failed(MethodDescriptor descriptor, IReadOnlyDictionary<string, object> parameters, string error) => new()
    {
        Method = descriptor.Id,
        DisplayName = descriptor.DisplayName,
        MillisecondsPerImage = double.NaN,
        MetricMillisecondsPerImage = double.NaN,
        Scores = new Dictionary<string, MetricSummary>(),
        Parameters = parameters,
        Error = error,
    };
}
