using AutoTimm.Interpretation.Engine;
using AutoTimm.Models;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

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
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(saliency);
        options ??= new PerturbationOptions();
        options.Validate();
        if (model.Config.Task != ModelTask.ImageClassifier)
            throw new NotSupportedException($"deletion and insertion track a class probability; {model.Config.Arch} is a {model.Config.Task}");
        ArgumentOutOfRangeException.ThrowIfNegative(targetClass);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(targetClass, model.Config.NumClasses);
        using var scope = NewDisposeScope();
        var x = (input.dim() == 3 ? input.unsqueeze(0) : input).to(ScalarType.Float32, model.Device);
        model.CheckInput(x);
        if (x.shape[0] != 1) throw new ArgumentException($"one image at a time; got a batch of {x.shape[0]}", nameof(input));
        int h = (int)x.shape[2], w = (int)x.shape[3], pixels = h * w;
        if (saliency.Count != pixels)
            throw new ArgumentException($"the saliency map has {saliency.Count} values; the input is {h}x{w} = {pixels} pixels", nameof(saliency));
        if (saliency.Any(v => !float.IsFinite(v))) throw new ArgumentException("the saliency map contains NaN or Inf", nameof(saliency));

        int perStep = options.PixelsPerStep ?? Math.Max(1, pixels / 100);
        int steps = (pixels + perStep - 1) / perStep;
        var rank = new long[pixels];
        var order = Enumerable.Range(0, pixels).OrderByDescending(i => saliency[i]).ThenBy(i => i).ToArray();
        for (int r = 0; r < pixels; r++) rank[order[r]] = r;
        var ranks = tensor(rank, device: x.device).reshape(1, 1, h, w);
        var blurred = Blur(x, options.BlurKernel, options.BlurSigma);
        var substrate = options.Substrate switch
        {
            DeletionSubstrate.Zeros => zeros_like(x),
            DeletionSubstrate.Black => Black(model, x),
            DeletionSubstrate.Mean => x.mean([2L, 3L], keepdim: true).expand_as(x),
            DeletionSubstrate.Blur => blurred,
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Substrate, "unknown substrate"),
        };

        using var mode = new EvalModeScope(model);
        using var _ = inference_mode();
        double[] Curve(Tensor start, Tensor end) =>
            StepBatcher.CollectSteps(1, steps + 1, options.BatchSize, rows =>
            {
                // Row k has its k * perStep highest-ranked pixels taken from the end image.
                var done = tensor(rows.StepIndices.Select(k => (long)Math.Min(pixels, (long)k * perStep)).ToArray(), device: x.device).reshape(-1, 1, 1, 1);
                var mask = ranks.lt(done).to(x.dtype);
                var images = start * (1 - mask) + end * mask;
                return model.call(images).softmax(1).select(1, targetClass);
            }).reshape(-1).data<double>().ToArray();

        PerturbationCurve Make(PerturbationKind kind, double[] scores) => new()
        {
            Kind = kind, TargetClass = targetClass, Scores = scores, PixelsPerStep = perStep, Options = options,
        };
        return (Make(PerturbationKind.Deletion, Curve(x, substrate)), Make(PerturbationKind.Insertion, Curve(blurred, x)));
    }

    /// <summary>A depthwise Gaussian blur with zero padding (RISE's insertion start), normalized sampled kernel.</summary>
    internal static Tensor Blur(Tensor images, int kernel, double sigma)
    {
        var half = kernel / 2;
        var weights = Enumerable.Range(-half, kernel).Select(i => Math.Exp(-i * i / (2 * sigma * sigma))).ToArray();
        var sum = weights.Sum();
        var line = tensor(weights.Select(v => (float)(v / sum)).ToArray(), device: images.device);
        var k2 = line.unsqueeze(1).matmul(line.unsqueeze(0));
        long channels = images.shape[1];
        var filter = k2.expand(channels, 1, kernel, kernel).contiguous().to(images.dtype);
        return F.conv2d(images, filter, padding: [half, half], groups: channels);
    }

    private static Tensor Black(VisionModel model, Tensor x)
    {
        var p = model.Config.Preprocess;
        var mean = tensor(p.Mean, device: x.device).reshape(1, 3, 1, 1);
        var std = tensor(p.Std, device: x.device).reshape(1, 3, 1, 1);
        return ((zeros_like(x) - mean) / std).to(x.dtype);
    }
}
