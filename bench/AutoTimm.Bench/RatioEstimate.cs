/// <summary>
/// The ratio of two sides' median times from paired runs, with a 95% bootstrap confidence interval: pairs are resampled
/// whole (a pair's two runs share the machine's state of the moment), and each resample's ratio of medians is read.
/// The resampling is seeded, so one set of times always gives one interval.
/// </summary>
internal sealed record RatioEstimate(double Ratio, double Low, double High)
{
    private const int Resamples = 2000;
    private const int Seed = 17;

    /// <summary>Half the interval's width relative to the ratio: 0.01 means the ratio is known to about ±1%.</summary>
    public double RelativeHalfWidth => (High - Low) / 2 / Ratio;

    public static RatioEstimate Of(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        if (a.Count != b.Count || a.Count == 0) throw new ArgumentException($"paired times needed: {a.Count} against {b.Count}");
        int n = a.Count;
        var random = new Random(Seed);
        var ratios = new double[Resamples];
        var sa = new double[n];
        var sb = new double[n];
        for (int r = 0; r < Resamples; r++)
        {
            for (int i = 0; i < n; i++)
            {
                int k = random.Next(n);
                sa[i] = a[k];
                sb[i] = b[k];
            }
            ratios[r] = Median(sa) / Median(sb);
        }
        Array.Sort(ratios);
        return new RatioEstimate(Median([.. a]) / Median([.. b]), ratios[(int)(0.025 * Resamples)], ratios[(int)(0.975 * Resamples) - 1]);
    }

    // The middle value (the upper middle for an even count), as the rows' medians are read.
    private static double Median(double[] values)
    {
        Array.Sort(values);
        return values[values.Length / 2];
    }
}
