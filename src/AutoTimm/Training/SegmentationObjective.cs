using AutoTimm.Models;
using static TorchSharp.torch;

namespace AutoTimm.Training;

/// <summary>Semantic segmentation: per-pixel cross-entropy over all classes (the background is class 0); pixel accuracy.</summary>
public sealed record SegmentationObjective : ITrainingObjective
{
    /// <inheritdoc/>
    public string? TrainMetricName => "train_pixel_acc";

    /// <inheritdoc/>
    public Tensor Loss(Tensor output, Tensor targets) => nn.functional.cross_entropy(output, targets);

    /// <summary>Correct pixels, counted per sample as a fraction so the epoch mean is the mean pixel accuracy.</summary>
    public long Correct(Tensor output, Tensor targets)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(targets);
        // The trainer divides by the sample count: report whole samples' worth of correct pixels.
        using var correct = output.argmax(1).eq(targets).to(ScalarType.Float64).mean([1L, 2L]).sum();
        return (long)Math.Round(correct.item<double>());
    }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, double> Validate(VisionModel model, IBatchSource validation, IProgress<WorkProgress>? progress, string stage)
    {
        var segmentor = model as SemanticSegmentor ?? throw new ArgumentException($"{model?.Config.Arch} is not a semantic segmenter", nameof(model));
        var report = SegmentationEvaluator.Evaluate(segmentor, validation, progress, stage);
        return new Dictionary<string, double> { ["val_miou"] = report.MeanIou, ["val_pixel_acc"] = report.PixelAccuracy };
    }
}
