namespace AutoTimm.Interpretation.Metrics;

/// <summary>Correlations and summaries the metrics share, in float64, with NaN and a reason where they are undefined.</summary>
internal static class Statistics
{
    /// <summary>Pearson correlation; undefined when either side is constant.</summary>
    public static MetricValue Pearson(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        if (a.Count != b.Count) throw new ArgumentException($"{a.Count} against {b.Count} values");
        if (a.Count < 2) return MetricValue.Undefined("a correlation needs at least two values");
        double ma = a.Average(), mb = b.Average(), sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < a.Count; i++)
        {
            double da = a[i] - ma, db = b[i] - mb;
            sab += da * db;
            saa += da * da;
            sbb += db * db;
        }
        if (saa == 0) return MetricValue.Undefined("the first series is constant");
        if (sbb == 0) return MetricValue.Undefined("the second series is constant");
        return new MetricValue(Math.Clamp(sab / Math.Sqrt(saa * sbb), -1, 1));
    }

    /// <summary>Spearman rank correlation: Pearson of the ranks, tied values sharing their mean rank.</summary>
    public static MetricValue Spearman(IReadOnlyList<double> a, IReadOnlyList<double> b) => Pearson(Ranks(a), Ranks(b));

    /// <summary>Ranks 1..n, ties sharing their mean rank.</summary>
    public static double[] Ranks(IReadOnlyList<double> values)
    {
        var order = Enumerable.Range(0, values.Count).OrderBy(i => values[i]).ToArray();
        var ranks = new double[values.Count];
        for (int start = 0; start < order.Length;)
        {
            int end = start;
            while (end + 1 < order.Length && values[order[end + 1]] == values[order[start]]) end++;
            double mean = (start + end) / 2.0 + 1;
            for (int k = start; k <= end; k++) ranks[order[k]] = mean;
            start = end + 1;
        }
        return ranks;
    }

    /// <summary>Sample standard deviation (n - 1); 0 for fewer than two values.</summary>
    public static double StandardDeviation(IReadOnlyList<double> values)
    {
        if (values.Count < 2) return 0;
        double mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
    }

    /// <summary>
    /// Percentile bootstrap interval of the mean: <paramref name="resamples"/> resamples with replacement from a seeded
    /// generator, the (1 - level)/2 and (1 + level)/2 quantiles of their means (linear interpolation).
    /// </summary>
    public static (double Low, double High) BootstrapMean(IReadOnlyList<double> values, double level = 0.95, int resamples = 2000, int seed = 0)
    {
        if (values.Count == 0) return (double.NaN, double.NaN);
        var random = new Random(seed);
        var means = new double[resamples];
        for (int r = 0; r < resamples; r++)
        {
            double sum = 0;
            for (int i = 0; i < values.Count; i++) sum += values[random.Next(values.Count)];
            means[r] = sum / values.Count;
        }
        Array.Sort(means);
        return (Quantile(means, (1 - level) / 2), Quantile(means, (1 + level) / 2));
    }

    /// <summary>Quantile of sorted values by linear interpolation (numpy's default).</summary>
    public static double Quantile(IReadOnlyList<double> sorted, double q)
    {
        double position = q * (sorted.Count - 1);
        int low = (int)Math.Floor(position), high = Math.Min(low + 1, sorted.Count - 1);
        return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
    }
}
