using AutoTimm.Interpretation.Engine;
using AutoTimm.Models;
using static TorchSharp.torch;
using AutoTimm.Native;

namespace AutoTimm.Interpretation.Metrics;

/// <summary>
/// Deletion and insertion curves (RISE, Petsiuk et al. 2018; METRICS.md) of a classifier's explanation, on the very
/// tensor that was explained. Pixels are ordered by saliency, highest first, ties by pixel index (row-major), so a
/// constant map removes pixels in reading order. Deletion replaces <c>pixels_per_step</c> pixels per step with the
/// substrate; insertion starts from a Gaussian-blurred copy and puts original pixels back in the same order. Every
/// step of an image runs through the step batcher, in chunks of <see cref="PerturbationOptions.BatchSize"/> images.
/// </summary>
public static class DeletionInsertion
{
    /// <summary>Both curves for one preprocessed input <c>[1,3,H,W]</c> (or <c>[3,H,W]</c>) and its saliency map.</summary>
    /// <param name="model">The classifier.</param>
    /// <param name="input">The model input that was explained.</param>
    /// <param name="saliency">Saliency per pixel, row-major <c>[H*W]</c> at the input's resolution (e.g. <see cref="Heatmap.Values"/>).</param>
    /// <param name="targetClass">The class whose softmax probability is tracked.</param>
    /// <param name="options">Step size, substrate, blur, batch size; null for the defaults.</param>
    public static (PerturbationCurve Deletion, PerturbationCurve Insertion) Compute(VisionModel model, Tensor input, IReadOnlyList<float> saliency,
        int targetClass, PerturbationOptions? options = null)
    {
        options ??= new PerturbationOptions();
        options.Validate();
        using var scope = NewDisposeScope();
        var x = MetricInput.Image(model, input, targetClass, "deletion and insertion");
        MetricInput.Map(saliency, x);
        int h = (int)x.shape[2], w = (int)x.shape[3], pixels = h * w;
        int perStep = options.PixelsPerStep ?? Math.Max(1, pixels / 100);
        int steps = (pixels + perStep - 1) / perStep;
        var ranks = SaliencyRanking.RankImage(saliency, x);
        var blurred = Substrates.Blur(x, options.BlurKernel, options.BlurSigma);
        var substrate = Substrates.Of(options.Substrate, model, x, options.BlurKernel, options.BlurSigma);

        using var mode = new EvalModeScope(model);
        using var _ = inference_mode();
        double[] Curve(Tensor start, Tensor end) =>
            StepBatcher.CollectSteps(1, steps + 1, options.BatchSize, rows =>
            {
                // Row k has its k * perStep highest-ranked pixels taken from the end image.
                var done = tensor(rows.StepIndices.Select(k => (long)Math.Min(pixels, (long)k * perStep)).ToArray(), device: x.device).reshape(-1, 1, 1, 1);
                var mask = ranks.lt(done).to(x.dtype);
                var images = (start * Scalars.OneMinus(mask)).add(end * mask, Scalars.One);
                return MetricInput.Scores(model, images, targetClass, TrackedScore.Probability);
            }).reshape(-1).CopyToArray<double>();

        PerturbationCurve Make(PerturbationKind kind, double[] scores) => new()
        {
            Kind = kind, TargetClass = targetClass, Scores = scores, PixelsPerStep = perStep, Options = options,
        };
        return (Make(PerturbationKind.Deletion, Curve(x, substrate)), Make(PerturbationKind.Insertion, Curve(blurred, x)));
    }
}
