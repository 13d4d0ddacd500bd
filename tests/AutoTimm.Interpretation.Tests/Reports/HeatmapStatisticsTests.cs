using AutoTimm.Interpretation.Reports;

namespace AutoTimm.Interpretation.Tests.Reports;

public sealed class HeatmapStatisticsTests
{
    [Fact]
    public void Should_match_the_hand_computed_statistics_of_a_two_by_two_map()
    {
        // [[0, 0], [1, 3]]: sum 4, p = (1/4, 3/4) on the non-zero pixels.
        var s = HeatmapStatistics.Of([0f, 0f, 1f, 3f], 2);
        Assert.Equal(1, s.Mean, 12);
        Assert.Equal(Math.Sqrt(1.5), s.Std, 12);
        Assert.Equal(0, s.Min);
        Assert.Equal(3, s.Max);
        // Ascending (0, 0, 1, 3), weights 2k - n - 1 = (-3, -1, 1, 3): (1 + 9) / (4 * 4).
        Assert.Equal(10.0 / 16, s.Gini, 12);
        Assert.Equal(-(0.25 * Math.Log(0.25) + 0.75 * Math.Log(0.75)) / Math.Log(4), s.Entropy, 12);
        // The top tenth of 4 pixels is 1 pixel, holding 3 of 4.
        Assert.Equal(0.75, s.Top10Mass, 12);
        Assert.Equal((1, 1), (s.PeakX, s.PeakY));
    }

    [Fact]
    public void Should_give_the_extremes_for_uniform_and_single_pixel_maps()
    {
        var uniform = HeatmapStatistics.Of(Enumerable.Repeat(0.5f, 100).ToArray(), 10);
        Assert.Equal(0, uniform.Gini, 12);
        Assert.Equal(1, uniform.Entropy, 12);
        Assert.Equal(0.1, uniform.Top10Mass, 12);
        var single = new float[100];
        single[57] = 1;
        var peak = HeatmapStatistics.Of(single, 10);
        Assert.Equal(0.99, peak.Gini, 12);
        Assert.Equal(0, peak.Entropy, 12);
        Assert.Equal(1, peak.Top10Mass, 12);
        Assert.Equal((7, 5), (peak.PeakX, peak.PeakY));
    }

    [Fact]
    public void Should_refuse_negative_values_and_ragged_rows()
    {
        Assert.Contains("pixel 1,0", Assert.Throws<ArgumentException>(() => HeatmapStatistics.Of([0f, -1f], 2)).Message);
        Assert.Contains("rows of 3", Assert.Throws<ArgumentException>(() => HeatmapStatistics.Of([0f, 1f], 3)).Message);
        Assert.Throws<ArgumentException>(() => HeatmapStatistics.Of([0f, float.NaN], 2));
    }
}
