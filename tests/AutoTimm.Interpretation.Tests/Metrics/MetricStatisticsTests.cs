using AutoTimm.Interpretation.Metrics;

namespace AutoTimm.Interpretation.Tests.Metrics;

/// <summary>Correlations and the bootstrap interval against values computed by hand.</summary>
public sealed class MetricStatisticsTests
{
    [Fact]
    public void Should_rank_ties_by_their_mean_rank_and_correlate_ranks()
    {
        Assert.Equal([1.5, 1.5, 3, 4.5, 4.5], Statistics.Ranks([2, 2, 5, 7, 7]));
        // d = (0, 1, -1, 0): rho = 1 - 6 * 2 / (4 * 15) = 0.8.
        Assert.Equal(0.8, Statistics.Spearman([1, 2, 3, 4], [10, 30, 20, 40]).Value, 12);
        Assert.Equal(-1, Statistics.Spearman([1, 2, 3], [9, 4, 1]).Value, 12);
        Assert.Equal(1, Statistics.Pearson([1, 2, 3], [2, 4, 6]).Value, 12);
        Assert.False(Statistics.Pearson([1, 1, 1], [1, 2, 3]).IsDefined);
        Assert.False(Statistics.Spearman([1, 2, 3], [5, 5, 5]).IsDefined);
    }

    [Fact]
    public void Should_give_a_seeded_bootstrap_interval_around_the_mean_that_narrows_with_more_data()
    {
        var random = new Random(1);
        var small = Enumerable.Range(0, 20).Select(_ => random.NextDouble()).ToArray();
        var large = Enumerable.Range(0, 2000).Select(_ => random.NextDouble()).ToArray();
        var (low, high) = Statistics.BootstrapMean(small);
        Assert.True(low < small.Average() && small.Average() < high);
        Assert.Equal((low, high), Statistics.BootstrapMean(small));
        var (lowLarge, highLarge) = Statistics.BootstrapMean(large);
        Assert.True(highLarge - lowLarge < (high - low) / 5);
        // The interval of a uniform mean: about +-1.96 * sqrt(1/12) / sqrt(n).
        Assert.Equal(2 * 1.96 * Math.Sqrt(1.0 / 12 / 2000), highLarge - lowLarge, 0.004);
        Assert.Equal((2.0, 2.0), Statistics.BootstrapMean([2.0, 2.0, 2.0]));
        Assert.Equal(2.5, Statistics.Quantile([1, 2, 3, 4], 0.5), 12);
    }
}
