using AutoTimm.Interpretation.Engine;
using AutoTimm.Models;
using static TorchSharp.torch;
using AutoTimm.Native;

namespace AutoTimm.Interpretation.Metrics;

/// <summary>
/// Faithfulness correlation (Bhatt et al. 2020; Quantus's <c>FaithfulnessCorrelation</c>): draws random subsets of
/// pixels, replaces each subset with the substrate, and correlates (Pearson) the saliency inside the subset with the
/// score drop. Subsets come from a seeded <see cref="Random"/>, all of them before any forward, so the result does not
/// depend on the batch size; the perturbed images run through the step batcher.
/// </summary>
public static class FaithfulnessCorrelation
{
    /// <summary>Faithfulness correlation of one map of one preprocessed input.</summary>
    /// <param name="model">The classifier.</param>
    /// <param name="input">The model input that was explained.</param>
    /// <param name="saliency">Saliency per pixel, row-major <c>[H*W]</c> at the input's resolution.</param>
    /// <param name="targetClass">The class whose score is tracked.</param>
    /// <param name="options">Runs, subset size, substrate, score; null for the defaults.</param>
    public static FaithfulnessCorrelationResult Compute(VisionModel model, Tensor input, IReadOnlyList<float> saliency, int targetClass,
        FaithfulnessCorrelationOptions? options = null)
    {
        options ??= new FaithfulnessCorrelationOptions();
        options.Validate();
        using var scope = NewDisposeScope();
        var x = MetricInput.Image(model, input, targetClass, "faithfulness correlation");
        MetricInput.Map(saliency, x);
        int h = (int)x.shape[2], w = (int)x.shape[3], pixels = h * w;
        int size = Math.Min(options.SubsetSize, pixels / 2);
        if (size < 1) throw new ArgumentException($"a {h}x{w} input is too small for pixel subsets", nameof(input));
        var random = new Random(options.Seed);
        var all = Enumerable.Range(0, pixels).ToArray();
        var subsets = Enumerable.Range(0, options.Runs).Select(_ =>
        {
            random.Shuffle(all);
            return all[..size];
        }).ToArray();
        var sums = subsets.Select(s => s.Sum(i => (double)saliency[i])).ToArray();
        var substrate = Substrates.Of(options.Substrate, model, x);

        using var mode = new EvalModeScope(model);
        using var _ = inference_mode();
        double baseScore = MetricInput.Scores(model, x, targetClass, options.Score).item<float>();
        var drops = StepBatcher.CollectSteps(1, options.Runs, options.BatchSize, rows =>
        {
            var masks = zeros(rows.Count, pixels, device: x.device);
            var indices = rows.StepIndices;
            for (int r = 0; r < rows.Count; r++)
                masks[r].index_fill_(0, tensor(subsets[indices[r]].Select(i => (long)i).ToArray(), device: x.device), Scalars.One);
            var mask = masks.reshape(rows.Count, 1, h, w);
            return MetricInput.Scores(model, (x * Scalars.OneMinus(mask)).add(substrate * mask, Scalars.One), targetClass, options.Score);
        }).reshape(-1).data<double>().Select(s => baseScore - s).ToArray();
        var correlation = sums.Distinct().Count() == 1
            ? MetricValue.Undefined("every subset holds the same saliency (a constant map): nothing to correlate")
            : drops.Distinct().Count() == 1
                ? MetricValue.Undefined("the model's score does not change when pixels are removed: nothing to correlate")
                : Statistics.Pearson(sums, drops);
        return new FaithfulnessCorrelationResult
        {
            TargetClass = targetClass, Correlation = correlation, SaliencySums = sums, ScoreDrops = drops, SubsetSize = size, Options = options,
        };
    }
}
