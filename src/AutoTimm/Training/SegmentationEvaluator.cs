using TorchSharp;
using AutoTimm.Models;
using static TorchSharp.torch;
using AutoTimm.Native;

namespace AutoTimm.Training;

/// <summary>Evaluates a segmenter on batches with class masks: per-class IoU, mIoU with and without the background, pixel accuracy.</summary>
public static class SegmentationEvaluator
{
    /// <summary>Runs the segmenter over <paramref name="data"/> (targets <c>[N, H, W]</c>) and scores its masks.</summary>
    public static SegmentationReport Evaluate(SemanticSegmentor model, IBatchSource data, IProgress<WorkProgress>? progress = null, string stage = "evaluate")
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        int k = model.NumClasses, batches = 0, images = 0;
        var confusion = new long[k * k];
        // Eval mode once for the whole pass (Segment's own scope then leaves the model as it is), as for detection.
        using var mode = new EvalModeScope(model);
        foreach (var batch in data.Batches(0))
        {
            using (batch)
            using (var scope = NewDisposeScope())
            {
                var predicted = model.Segment(batch.Images);
                var truth = batch.Targets.to(ScalarType.Int64, CPU);
                if (truth.min().item<long>() < 0 || truth.max().item<long>() >= k)
                    throw new ArgumentException($"mask values must be class indices 0..{k - 1}");
                using Scalar classes = k;
                var counts = truth.flatten().mul(classes).add(predicted.flatten(), Scalars.One).bincount(null, k * k).CopyToArray<long>();
                for (int i = 0; i < counts.Length; i++) confusion[i] += counts[i];
                images += batch.Count;
            }
            progress?.Report(new WorkProgress(stage, Math.Min(++batches, Math.Max(1, data.BatchesPerEpoch)), Math.Max(1, data.BatchesPerEpoch)));
        }
        if (images == 0) throw new ArgumentException("the data set yielded no samples", nameof(data));
        var iou = new double[k];
        long correct = 0, total = 0;
        for (int c = 0; c < k; c++)
        {
            long tp = confusion[c * k + c], truthCount = 0, predictedCount = 0;
            for (int j = 0; j < k; j++)
            {
                truthCount += confusion[c * k + j];
                predictedCount += confusion[j * k + c];
            }
            long union = truthCount + predictedCount - tp;
            iou[c] = union == 0 ? double.NaN : (double)tp / union;
            correct += tp;
            total += truthCount;
        }
        static double Mean(IEnumerable<double> values)
        {
            var defined = values.Where(v => !double.IsNaN(v)).ToArray();
            return defined.Length == 0 ? double.NaN : defined.Average();
        }
        return new SegmentationReport
        {
            Count = images,
            PerClassIou = iou,
            MeanIou = Mean(iou),
            MeanIouWithoutBackground = Mean(iou.Skip(1)),
            PixelAccuracy = (double)correct / total,
        };
    }
}

/// <summary>A segmenter's scores on a data set.</summary>
public sealed record SegmentationReport
{
    /// <summary>Images evaluated.</summary>
    public required int Count { get; init; }

    /// <summary>IoU per class over the whole data set (NaN for a class neither present nor predicted).</summary>
    public required IReadOnlyList<double> PerClassIou { get; init; }

    /// <summary>Mean IoU over classes, the background (class 0) included.</summary>
    public required double MeanIou { get; init; }

    /// <summary>Mean IoU over the object classes.</summary>
    public required double MeanIouWithoutBackground { get; init; }

    /// <summary>Share of pixels classified right.</summary>
    public required double PixelAccuracy { get; init; }
}
