using AutoTimm.Data;

namespace AutoTimm.Training;

/// <summary>
/// COCO-style average precision: detections of a class over all images in score order, each matched to the
/// unmatched ground-truth box of its class with the highest IoU at or above the threshold; precision made monotone
/// from the right; read at 101 recall points 0, 0.01, ..., 1 (a point beyond the highest recall reached counts 0).
/// </summary>
public static class AveragePrecision
{
    /// <summary>IoU thresholds of mAP@[.5:.95].</summary>
    public static IReadOnlyList<float> CocoThresholds { get; } = Enumerable.Range(0, 10).Select(i => 0.5f + 0.05f * i).ToArray();

    /// <summary>AP of one class at one IoU threshold, or NaN when the class has no ground truth.</summary>
    /// <param name="detections">Per image: that class's detections (box, score).</param>
    /// <param name="truths">Per image: that class's ground-truth boxes.</param>
    /// <param name="threshold">IoU a match needs.</param>
    public static double Compute(IReadOnlyList<IReadOnlyList<(BoundingBox Box, float Score)>> detections,
        IReadOnlyList<IReadOnlyList<BoundingBox>> truths, float threshold)
    {
        ArgumentNullException.ThrowIfNull(detections);
        ArgumentNullException.ThrowIfNull(truths);
        int total = truths.Sum(t => t.Count);
        if (total == 0) return double.NaN;
        var ordered = detections.SelectMany((list, image) => list.Select((d, i) => (d.Box, d.Score, Image: image, Index: i)))
            .OrderByDescending(d => d.Score).ThenBy(d => d.Image).ThenBy(d => d.Index).ToArray();
        var matched = truths.Select(t => new bool[t.Count]).ToArray();
        var precision = new double[ordered.Length];
        var recall = new double[ordered.Length];
        int tp = 0;
        for (int i = 0; i < ordered.Length; i++)
        {
            var d = ordered[i];
            var candidates = truths[d.Image];
            int best = -1;
            float bestIou = threshold;
            for (int g = 0; g < candidates.Count; g++)
            {
                if (matched[d.Image][g]) continue;
                var iou = d.Box.IoU(candidates[g]);
                if (iou >= bestIou) { bestIou = iou; best = g; }
            }
            if (best >= 0)
            {
                matched[d.Image][best] = true;
                tp++;
            }
            precision[i] = (double)tp / (i + 1);
            recall[i] = (double)tp / total;
        }
        for (int i = ordered.Length - 2; i >= 0; i--) precision[i] = Math.Max(precision[i], precision[i + 1]);
        double sum = 0;
        int j = 0;
        for (int p = 0; p <= 100; p++)
        {
            double level = p / 100.0;
            while (j < recall.Length && recall[j] < level - 1e-12) j++;
            if (j < recall.Length) sum += precision[j];
        }
        return sum / 101;
    }
}
