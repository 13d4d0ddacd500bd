using AutoTimm.Data;

namespace AutoTimm.Interpretation.Metrics;

/// <summary>
/// How well a saliency map points at a ground-truth region (METRICS.md): pointing game, mass inside (the energy-based
/// pointing game on a box, relevance mass accuracy on a mask), relevance rank accuracy and IoU. Maps are row-major at
/// the region's resolution and non-negative (a heatmap's <see cref="Heatmap.Values"/>). An empty region or an all-zero
/// map gives NaN with the reason.
/// </summary>
public static class LocalizationMetrics
{
    /// <summary>
    /// Pointing game (Zhang et al. 2016): 1 when the map's maximum lies in the region or within
    /// <paramref name="tolerance"/> pixels (Euclidean, pixel centres) of a region pixel, else 0. Of tied maxima the
    /// first in row-major order counts.
    /// </summary>
    public static MetricValue PointingGame(IReadOnlyList<float> map, SaliencyRegion region, double tolerance = 15)
    {
        if (Check(map, region) is { } undefined) return undefined;
        ArgumentOutOfRangeException.ThrowIfNegative(tolerance);
        int best = 0;
        for (int i = 1; i < map.Count; i++)
            if (map[i] > map[best]) best = i;
        int bx = best % region.Width, by = best / region.Width;
        double limit = tolerance * tolerance;
        for (int i = 0; i < region.Mask.Count; i++)
        {
            if (!region.Mask[i]) continue;
            double dx = i % region.Width - bx, dy = i / region.Width - by;
            if (dx * dx + dy * dy <= limit) return new MetricValue(1);
        }
        return new MetricValue(0);
    }

    /// <summary>
    /// Share of the map's total inside the region: the energy-based pointing game (Score-CAM) on a box, relevance mass
    /// accuracy (Arras et al.) on a mask.
    /// </summary>
    public static MetricValue MassInside(IReadOnlyList<float> map, SaliencyRegion region)
    {
        if (Check(map, region) is { } undefined) return undefined;
        double inside = 0, total = 0;
        for (int i = 0; i < map.Count; i++)
        {
            total += map[i];
            if (region.Mask[i]) inside += map[i];
        }
        return new MetricValue(inside / total);
    }

    /// <summary>Relevance rank accuracy: the share of the top-|region| pixels (ties by pixel index) that lie inside the region.</summary>
    public static MetricValue RankAccuracy(IReadOnlyList<float> map, SaliencyRegion region)
    {
        if (Check(map, region) is { } undefined) return undefined;
        var top = SaliencyRanking.Order(map).Take(region.Pixels);
        return new MetricValue((double)top.Count(i => region.Mask[i]) / region.Pixels);
    }

    /// <summary>IoU of the pixels at or above <paramref name="threshold"/> (of the map's [0,1] values) with the region.</summary>
    public static MetricValue Iou(IReadOnlyList<float> map, SaliencyRegion region, double threshold = 0.5)
    {
        if (Check(map, region) is { } undefined) return undefined;
        int inter = 0, union = 0;
        for (int i = 0; i < map.Count; i++)
        {
            bool on = map[i] >= threshold;
            if (on && region.Mask[i]) inter++;
            if (on || region.Mask[i]) union++;
        }
        return new MetricValue((double)inter / union);
    }

    /// <summary>The best IoU over thresholds 0.05, 0.10, ..., 0.95, and the threshold that gives it (the lowest on ties).</summary>
    public static (MetricValue Iou, double Threshold) BestIou(IReadOnlyList<float> map, SaliencyRegion region)
    {
        if (Check(map, region) is { } undefined) return (undefined, double.NaN);
        var candidates = Enumerable.Range(1, 19).Select(i => i / 20.0).Select(t => (Iou: Iou(map, region, t).Value, Threshold: t));
        var best = candidates.OrderByDescending(c => c.Iou).ThenBy(c => c.Threshold).First();
        return (new MetricValue(best.Iou), best.Threshold);
    }

    /// <summary>Every localization metric of one map against one region.</summary>
    /// <param name="map">Non-negative map, row-major at the region's resolution.</param>
    /// <param name="region">The ground truth.</param>
    /// <param name="tolerance">Pointing-game tolerance in pixels (TorchRay's 15 at 224 px; scale it with the image).</param>
    /// <param name="threshold">IoU threshold on the map's [0,1] values.</param>
    public static LocalizationScores All(IReadOnlyList<float> map, SaliencyRegion region, double tolerance = 15, double threshold = 0.5)
    {
        var (best, at) = BestIou(map, region);
        return new LocalizationScores
        {
            PointingGame = PointingGame(map, region, tolerance),
            MassInside = MassInside(map, region),
            RankAccuracy = RankAccuracy(map, region),
            Iou = Iou(map, region, threshold),
            BestIou = best,
            BestThreshold = at,
            Tolerance = tolerance,
            Threshold = threshold,
        };
    }

    /// <summary>
    /// Scores each explained detection's own map against a box: the ground-truth box of the same class that overlaps
    /// its predicted box most (when <paramref name="groundTruth"/> is given and one overlaps at all), else its own
    /// predicted box. Detections whose explanation failed are left out.
    /// </summary>
    public static IReadOnlyList<DetectionLocalization> ForDetections(Adapters.DetectionExplanation explanation,
        IReadOnlyList<(BoundingBox Box, int Label)>? groundTruth = null, double tolerance = 15, double threshold = 0.5)
    {
        ArgumentNullException.ThrowIfNull(explanation);
        var results = new List<DetectionLocalization>();
        foreach (var explained in explanation.Explained)
        {
            if (explained.Heatmap is not { } heatmap) continue;
            var box = explained.Detection.Box;
            var match = (groundTruth ?? [])
                .Select((g, i) => (Index: i, g.Box, Iou: g.Label == explained.Detection.Label ? (double)g.Box.IoU(box) : 0))
                .Where(m => m.Iou > 0).OrderByDescending(m => m.Iou).ThenBy(m => m.Index).FirstOrDefault();
            bool matched = match.Iou > 0;
            var region = SaliencyRegion.FromBox(matched ? match.Box : box, heatmap.Height, heatmap.Width);
            results.Add(new DetectionLocalization(explained.Index, matched ? match.Index : null, matched ? match.Iou : 1,
                All(heatmap.Values, region, tolerance, threshold)));
        }
        return results;
    }

    /// <summary>Scores each explained class's map against the ground-truth pixels of that class (<paramref name="labels"/>, row-major).</summary>
    public static IReadOnlyList<SegmentationLocalization> ForSegmentation(Adapters.SegmentationExplanation explanation, IReadOnlyList<int> labels,
        double tolerance = 15, double threshold = 0.5)
    {
        ArgumentNullException.ThrowIfNull(explanation);
        ArgumentNullException.ThrowIfNull(labels);
        return explanation.Classes.Select(c =>
        {
            var region = SaliencyRegion.FromMask(labels.Select(l => l == c.Class).ToArray(), c.Heatmap.Height, c.Heatmap.Width);
            return new SegmentationLocalization(c.Class, All(c.Heatmap.Values, region, tolerance, threshold));
        }).ToList();
    }

    private static MetricValue? Check(IReadOnlyList<float> map, SaliencyRegion region)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(region);
        if (map.Count != region.Mask.Count)
            throw new ArgumentException($"the map has {map.Count} values; the region is {region.Height}x{region.Width}", nameof(map));
        if (map.Any(v => !float.IsFinite(v) || v < 0)) throw new ArgumentException("the map must be finite and non-negative (a heatmap's Values)", nameof(map));
        if (region.Pixels == 0) return MetricValue.Undefined("the region is empty (a box outside the image, or an empty mask)");
        if (map.All(v => v == 0)) return MetricValue.Undefined("the map is zero everywhere: it points nowhere");
        return null;
    }
}
