using TorchSharp;
using AutoTimm.Interpretation.Engine;
using AutoTimm.Interpretation.Internal;
using AutoTimm.Models;
using static TorchSharp.torch;
using AutoTimm.Native;

namespace AutoTimm.Interpretation.Metrics;

/// <summary>
/// ROAD, remove and debias (Rong et al. 2022), as pytorch-grad-cam's <c>ROADMostRelevantFirst</c>,
/// <c>ROADLeastRelevantFirst</c> and <c>ROADCombined</c>: pixels are removed by percentile of saliency and imputed
/// from their neighbours (<see cref="LinearImputation"/>), so the removal itself leaks no shape to the model. On the
/// very tensor that was explained. Pixels are ordered as everywhere (<see cref="SaliencyRanking"/>): on a map without
/// ties the kept pixels are exactly pytorch-grad-cam's (those strictly below <c>np.percentile</c>); tied pixels are
/// split by pixel index instead of all kept or all removed, so a constant map is defined too. All imputed images of
/// an explanation run through the step batcher.
/// </summary>
public static class Road
{
    /// <summary>ROAD at every percentile in both orders, for one preprocessed input and its saliency map.</summary>
    /// <param name="model">The classifier.</param>
    /// <param name="input">The model input that was explained, <c>[1,3,H,W]</c> or <c>[3,H,W]</c>.</param>
    /// <param name="saliency">Saliency per pixel, row-major <c>[H*W]</c> at the input's resolution.</param>
    /// <param name="targetClass">The class whose score is tracked.</param>
    /// <param name="options">Percentiles, noise, score, batch size; null for the defaults.</param>
    public static RoadResult Compute(VisionModel model, Tensor input, IReadOnlyList<float> saliency, int targetClass, RoadOptions? options = null)
    {
        options ??= new RoadOptions();
        options.Validate();
        using var scope = NewDisposeScope();
        var x = MetricInput.Image(model, input, targetClass, "ROAD");
        MetricInput.Map(saliency, x);
        int pixels = (int)(x.shape[2] * x.shape[3]);
        var ranks = SaliencyRanking.RankImage(saliency, x);
        var percentiles = options.Percentiles;
        int count = percentiles.Count;

        using var mode = new EvalModeScope(model);
        using var _ = inference_mode();
        double baseScore = MetricInput.Scores(model, x, targetClass, options.Score).item<float>();
        // Rows 0..P-1 remove the most relevant pixels first, rows P..2P-1 the least relevant.
        var scores = StepBatcher.CollectSteps(1, 2 * count, options.BatchSize, rows =>
        {
            var images = Perturb(x, ranks, rows.StepIndices.Select(k => new RoadStep(k < count, percentiles[k % count], SeededNoise.SampleSeed(options.Seed, k))).ToArray(), options.Noise);
            return MetricInput.Scores(model, images, targetClass, options.Score);
        }).reshape(-1).CopyToArray<double>();
        return new RoadResult
        {
            TargetClass = targetClass,
            BaseScore = baseScore,
            MostRelevantFirst = scores.Take(count).Select(s => s - baseScore).ToArray(),
            LeastRelevantFirst = scores.Skip(count).Select(s => s - baseScore).ToArray(),
            KeptPixels = percentiles.Select(p => Kept(p, pixels)).ToArray(),
            Options = options,
        };
    }

    /// <summary>
    /// Pixels kept at percentile p of N: <c>ceil(p (N - 1) / 100)</c>, the count of values strictly below numpy's
    /// linearly interpolated percentile when no two values tie.
    /// </summary>
    internal static int Kept(int percentile, int pixels) => (int)(((long)percentile * (pixels - 1) + 99) / 100);

    /// <summary>Imputed images <c>[K,3,H,W]</c>, one per step: its order's removed pixels imputed together in one solve, plus seeded noise.</summary>
    internal static Tensor Perturb(Tensor x, Tensor ranks, IReadOnlyList<RoadStep> steps, double noise)
    {
        long pixels = ranks.numel();
        var keep = cat(steps.Select(step =>
        {
            int kept = Kept(step.Percentile, (int)pixels);
            using Scalar threshold = step.MostRelevantFirst ? pixels - kept : kept;
            return step.MostRelevantFirst ? ranks.ge(threshold) : ranks.lt(threshold);
        }).ToArray(), 0).to(x.dtype);
        var imputed = LinearImputation.Impute(x.expand(steps.Count, -1, -1, -1), keep);
        if (noise == 0) return imputed;
        var draws = cat(steps.Select(step => SeededNoise.Normal(x.shape, step.Seed, x.device, x.dtype)).ToArray(), 0);
        return imputed.add((Scalars.OneMinus(keep) * draws).mul(Scalars.Of(noise)), Scalars.One);
    }
}

/// <summary>One ROAD image: the order, the percentile and the seed of its noise.</summary>
internal readonly record struct RoadStep(bool MostRelevantFirst, int Percentile, long Seed);
