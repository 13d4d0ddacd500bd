using AutoTimm.Data;
using AutoTimm.Models;
using AutoTimm.Native;
using static TorchSharp.torch;

namespace AutoTimm.Training;

/// <summary>Evaluates a detector on batches with box targets: COCO-style mAP@0.5 and mAP@[.5:.95], overall and per class.</summary>
public static class DetectionEvaluator
{
    /// <summary>
    /// Decoding for evaluation: a low score threshold (0.05), as COCO evaluations use, so the precision-recall curve
    /// reaches low-confidence detections; at most 100 detections per image.
    /// </summary>
    public static DetectionOptions EvaluationOptions { get; } = new() { ScoreThreshold = 0.05f };

    /// <summary>Runs the detector over <paramref name="data"/> (targets <c>[N, M, 5]</c>) and scores its detections.</summary>
    public static DetectionReport Evaluate(ObjectDetector model, IBatchSource data, IProgress<WorkProgress>? progress = null, string stage = "evaluate")
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        int k = model.NumClasses, batches = 0;
        var detections = Enumerable.Range(0, k).Select(_ => new List<IReadOnlyList<(BoundingBox, float)>>()).ToArray();
        var truths = Enumerable.Range(0, k).Select(_ => new List<IReadOnlyList<BoundingBox>>()).ToArray();
        // Eval mode once for the whole pass: Detect's own scope then finds the model in eval mode and leaves it, instead
        // of switching every module (and relaying a channels-last backbone's weights) there and back on each batch.
        using var mode = new EvalModeScope(model);
        foreach (var batch in data.Batches(0))
        {
            using (batch)
            {
                var found = model.Detect(batch.Images, EvaluationOptions);
                using var boxes = batch.Targets.to(ScalarType.Float32, CPU);
                var values = boxes.CopyToArray<float>();
                int m = (int)boxes.shape[1];
                for (int i = 0; i < found.Count; i++)
                {
                    for (int c = 0; c < k; c++)
                    {
                        detections[c].Add(found[i].Where(d => d.Label == c).Select(d => (d.Box, d.Score)).ToArray());
                        var own = new List<BoundingBox>();
                        for (int j = 0; j < m; j++)
                        {
                            var o = (i * m + j) * 5;
                            if ((int)values[o + 4] == c) own.Add(new BoundingBox(values[o], values[o + 1], values[o + 2], values[o + 3]));
                        }
                        truths[c].Add(own);
                    }
                }
            }
            progress?.Report(new WorkProgress(stage, Math.Min(++batches, Math.Max(1, data.BatchesPerEpoch)), Math.Max(1, data.BatchesPerEpoch)));
        }
        int images = truths.Length > 0 ? truths[0].Count : 0;
        if (images == 0) throw new ArgumentException("the data set yielded no samples", nameof(data));
        var ap50 = Enumerable.Range(0, k).Select(c => AveragePrecision.Compute(detections[c], truths[c], 0.5f)).ToArray();
        var ap = Enumerable.Range(0, k).Select(c => AveragePrecision.CocoThresholds.Average(t => AveragePrecision.Compute(detections[c], truths[c], t))).ToArray();
        return new DetectionReport
        {
            Count = images,
            MeanAp50 = MeanOfDefined(ap50),
            MeanAp = MeanOfDefined(ap),
            PerClassAp50 = ap50,
            PerClassAp = ap,
            GroundTruthBoxes = truths.Select(t => t.Sum(b => b.Count)).ToArray(),
        };
    }

    private static double MeanOfDefined(double[] values)
    {
        var defined = values.Where(v => !double.IsNaN(v)).ToArray();
        return defined.Length == 0 ? double.NaN : defined.Average();
    }
}

/// <summary>A detector's scores on a data set.</summary>
public sealed record DetectionReport
{
    /// <summary>Images evaluated.</summary>
    public required int Count { get; init; }

    /// <summary>mAP at IoU 0.5 (COCO-style 101-point interpolation), over classes with ground truth.</summary>
    public required double MeanAp50 { get; init; }

    /// <summary>mAP averaged over IoU 0.5, 0.55, ..., 0.95.</summary>
    public required double MeanAp { get; init; }

    /// <summary>AP@0.5 per class (NaN for a class without ground truth).</summary>
    public required IReadOnlyList<double> PerClassAp50 { get; init; }

    /// <summary>AP@[.5:.95] per class.</summary>
    public required IReadOnlyList<double> PerClassAp { get; init; }

    /// <summary>Ground-truth boxes per class.</summary>
    public required IReadOnlyList<int> GroundTruthBoxes { get; init; }
}
