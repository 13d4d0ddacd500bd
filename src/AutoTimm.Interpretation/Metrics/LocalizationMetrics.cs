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
        var top = Enumerable.Range(0, map.Count).OrderByDescending(i => map[i]).ThenBy(i => i).Take(region.Pixels);
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
