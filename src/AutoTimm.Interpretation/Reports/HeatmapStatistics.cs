namespace AutoTimm.Interpretation.Reports;

/// <summary>
/// Summary statistics of a normalized map, as a report shows them: location and spread of the importance values,
/// how concentrated the importance is, and where its peak is.
/// </summary>
public sealed record HeatmapStatistics
{
    /// <summary>Mean of the normalized values.</summary>
    public required double Mean { get; init; }

    /// <summary>Population standard deviation of the normalized values.</summary>
    public required double Std { get; init; }

    /// <summary>Smallest normalized value.</summary>
    public required double Min { get; init; }

    /// <summary>Largest normalized value.</summary>
    public required double Max { get; init; }

    /// <summary>
    /// Gini index of the values (Quantus' Sparseness, Chalasani et al. 2020): 0 when every pixel is equally
    /// important, approaching 1 when one pixel holds all of it.
    /// </summary>
    public required double Gini { get; init; }

    /// <summary>
    /// Shannon entropy of the values taken as a distribution over pixels, divided by its maximum log(N) (Quantus'
    /// Complexity, normalized): 1 for a uniform map, 0 for a single pixel.
    /// </summary>
    public required double Entropy { get; init; }

    /// <summary>Share of the total importance held by the most important tenth of the pixels.</summary>
    public required double Top10Mass { get; init; }

    /// <summary>Pixel column of the largest value (the first in row-major order on ties).</summary>
    public required int PeakX { get; init; }

    /// <summary>Pixel row of the largest value.</summary>
    public required int PeakY { get; init; }

    /// <summary>Computes the statistics of <paramref name="heatmap"/>'s normalized values.</summary>
    public static HeatmapStatistics Of(Heatmap heatmap)
    {
        ArgumentNullException.ThrowIfNull(heatmap);
        return Of(heatmap.Values, heatmap.Width);
    }

    /// <summary>Computes the statistics of non-negative row-major values, <paramref name="width"/> per row.</summary>
    public static HeatmapStatistics Of(ReadOnlySpan<float> values, int width)
    {
        if (values.Length == 0) throw new ArgumentException("the map has no pixels", nameof(values));
        if (width <= 0 || values.Length % width != 0) throw new ArgumentException($"{values.Length} values do not make rows of {width}", nameof(width));
        int n = values.Length, peak = 0;
        double sum = 0, min = double.PositiveInfinity, max = double.NegativeInfinity;
        for (int i = 0; i < n; i++)
        {
            double v = values[i];
            if (!(v >= 0)) throw new ArgumentException($"value {v} at pixel {i % width},{i / width} is negative or not a number", nameof(values));
            sum += v;
            if (v < min) min = v;
            if (v > max) { max = v; peak = i; }
        }
        double mean = sum / n, squares = 0, entropy = 0;
        for (int i = 0; i < n; i++)
        {
            double v = values[i], d = v - mean;
            squares += d * d;
            if (sum > 0 && v > 0)
            {
                double p = v / sum;
                entropy -= p * Math.Log(p);
            }
        }
        var sorted = values.ToArray();
        Array.Sort(sorted);
        // Gini of the ascending values: sum (2k - n - 1) v_k / (n sum), k = 1..n.
        double weighted = 0, top = 0;
        int topCount = Math.Max(1, (int)Math.Ceiling(n * 0.1));
        for (int k = 0; k < n; k++)
        {
            weighted += (2.0 * (k + 1) - n - 1) * sorted[k];
            if (k >= n - topCount) top += sorted[k];
        }
        return new HeatmapStatistics
        {
            Mean = mean,
            Std = Math.Sqrt(squares / n),
            Min = min,
            Max = max,
            Gini = sum > 0 ? weighted / (n * sum) : 0,
            Entropy = sum > 0 && n > 1 ? entropy / Math.Log(n) : 1,
            Top10Mass = sum > 0 ? top / sum : (double)topCount / n,
            PeakX = peak % width,
            PeakY = peak / width,
        };
    }
}
