using AutoTimm.Data;
using AutoTimm.Interpretation.Metrics;

namespace AutoTimm.Interpretation.Tests.Metrics;

/// <summary>Localization metrics on 4x4 maps computed by hand.</summary>
public sealed class LocalizationMetricsTests
{
    // The box [1,1,3,3) covers pixels (1,1), (2,1), (1,2), (2,2): indices 5, 6, 9, 10.
    private static readonly SaliencyRegion Box = SaliencyRegion.FromBox(new BoundingBox(1, 1, 3, 3), 4, 4);

    private static float[] Map(params (int Index, float Value)[] values)
    {
        var map = new float[16];
        foreach (var (i, v) in values) map[i] = v;
        return map;
    }

    [Fact]
    public void Should_compute_mass_rank_accuracy_and_iou_by_hand()
    {
        var map = Map((5, 1f), (6, 0.5f), (0, 0.5f), (15, 1f));
        Assert.Equal(4, Box.Pixels);
        Assert.Equal(1.5 / 3.0, LocalizationMetrics.MassInside(map, Box).Value, 12);
        // Top 4 by value, ties by index: 5 (1), 15 (1), 0 (0.5), 6 (0.5): two inside.
        Assert.Equal(0.5, LocalizationMetrics.RankAccuracy(map, Box).Value, 12);
        // At 0.5: {0, 5, 6, 15} vs {5, 6, 9, 10}: 2 / 6. At 0.75: {5, 15}: 1 / 5.
        Assert.Equal(2.0 / 6, LocalizationMetrics.Iou(map, Box, 0.5).Value, 12);
        Assert.Equal(1.0 / 5, LocalizationMetrics.Iou(map, Box, 0.75).Value, 12);
        var (best, threshold) = LocalizationMetrics.BestIou(map, Box);
        Assert.Equal(2.0 / 6, best.Value, 12);
        Assert.Equal(0.05, threshold, 12);
    }

    [Fact]
    public void Should_point_at_the_first_maximum_and_count_a_miss_within_tolerance_as_a_hit()
    {
        // Maximum at index 0 (0,0), tied with index 15: the first counts. Nearest box pixel (1,1) is sqrt(2) away.
        var map = Map((0, 1f), (15, 1f), (5, 0.5f));
        Assert.Equal(0, LocalizationMetrics.PointingGame(map, Box, tolerance: 1).Value);
        Assert.Equal(1, LocalizationMetrics.PointingGame(map, Box, tolerance: 1.5).Value);
        Assert.Equal(1, LocalizationMetrics.PointingGame(Map((10, 1f)), Box, tolerance: 0).Value);
    }

    [Fact]
    public void Should_give_nan_with_a_reason_for_an_empty_region_and_a_zero_map()
    {
        var outside = SaliencyRegion.FromBox(new BoundingBox(10, 10, 20, 20), 4, 4);
        var empty = LocalizationMetrics.MassInside(Map((5, 1f)), outside);
        Assert.True(double.IsNaN(empty.Value));
        Assert.Contains("region is empty", empty.Reason, StringComparison.Ordinal);
        var zero = LocalizationMetrics.PointingGame(new float[16], Box);
        Assert.True(double.IsNaN(zero.Value));
        Assert.Contains("zero everywhere", zero.Reason, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => LocalizationMetrics.MassInside(new float[15], Box));
        Assert.Throws<ArgumentException>(() => LocalizationMetrics.MassInside(Map((3, -1f)), Box));
    }
}
