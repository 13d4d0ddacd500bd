using AutoTimm.Models;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Metrics;

/// <summary>
/// The checks every classifier metric makes on its arguments, once: a classifier, a class in range, one preprocessed
/// image on the model's device, and a finite map of one value per input pixel.
/// </summary>
internal static class MetricInput
{
    /// <summary>The input as <c>[1,3,H,W]</c> float32 on the model's device (a tensor of the caller's dispose scope).</summary>
    public static Tensor Image(VisionModel model, Tensor input, int targetClass, string metric)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(input);
        if (model.Config.Task != ModelTask.ImageClassifier)
            throw new NotSupportedException($"{metric} tracks a class score; {model.Config.Arch} is a {model.Config.Task}");
        ArgumentOutOfRangeException.ThrowIfNegative(targetClass);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(targetClass, model.Config.NumClasses);
        var x = (input.dim() == 3 ? input.unsqueeze(0) : input).to(ScalarType.Float32, model.Device);
        model.CheckInput(x);
        if (x.shape[0] != 1) throw new ArgumentException($"{metric} takes one image at a time; got a batch of {x.shape[0]}", nameof(input));
        return x;
    }

    /// <summary>Checks that a map has one finite value per pixel of <paramref name="x"/>.</summary>
    public static void Map(IReadOnlyList<float> saliency, Tensor x)
    {
        ArgumentNullException.ThrowIfNull(saliency);
        long h = x.shape[2], w = x.shape[3];
        if (saliency.Count != h * w)
            throw new ArgumentException($"the saliency map has {saliency.Count} values; the input is {h}x{w} = {h * w} pixels", nameof(saliency));
        if (saliency.Any(v => !float.IsFinite(v))) throw new ArgumentException("the saliency map contains NaN or Inf", nameof(saliency));
    }

    /// <summary>The tracked score of one class for every row of a batch: <c>[N]</c>.</summary>
    public static Tensor Scores(VisionModel model, Tensor images, int targetClass, TrackedScore score)
    {
        var logits = model.call(images);
        return score == TrackedScore.Probability ? logits.softmax(1).select(1, targetClass) : logits.select(1, targetClass);
    }
}
