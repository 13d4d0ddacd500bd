using AutoTimm.Interpretation.Metrics;
using AutoTimm.Interpretation.Tests.Models;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Tests.Metrics;

/// <summary>ROAD and its imputation against the definitions, solved directly.</summary>
public sealed class RoadTests
{
    /// <summary>The imputation by its definition: the dense linear system of the removed pixels, solved by Gaussian elimination.</summary>
    private static double[] DirectImpute(double[] image, bool[] keep, int h, int w)
    {
        var removed = Enumerable.Range(0, h * w).Where(i => !keep[i]).ToArray();
        var index = removed.Select((p, k) => (p, k)).ToDictionary(t => t.p, t => t.k);
        int n = removed.Length;
        var a = new double[n, n + 1];
        for (int k = 0; k < n; k++)
        {
            int y = removed[k] / w, x = removed[k] % w;
            double total = 0;
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++)
                {
                    if ((dy, dx) == (0, 0) || y + dy < 0 || y + dy >= h || x + dx < 0 || x + dx >= w) continue;
                    double weight = dy != 0 && dx != 0 ? 1 / 12.0 : 1 / 6.0;
                    total += weight;
                    int q = (y + dy) * w + x + dx;
                    if (keep[q]) a[k, n] -= weight * image[q];
                    else a[k, index[q]] += weight;
                }
            a[k, k] -= total;
        }
        for (int col = 0; col < n; col++)
        {
            int pivot = Enumerable.Range(col, n - col).MaxBy(r => Math.Abs(a[r, col]));
            for (int j = 0; j <= n; j++) (a[col, j], a[pivot, j]) = (a[pivot, j], a[col, j]);
            for (int r = 0; r < n; r++)
            {
                if (r == col) continue;
                double f = a[r, col] / a[col, col];
                for (int j = col; j <= n; j++) a[r, j] -= f * a[col, j];
            }
        }
        var result = image.ToArray();
        for (int k = 0; k < n; k++) result[removed[k]] = a[k, n] / a[k, k];
        return result;
    }

    [Fact]
    public void Should_impute_like_a_dense_solve_of_the_neighbour_system()
    {
        const int h = 7, w = 6;
        var random = new Random(4);
        var image = Enumerable.Range(0, 3 * h * w).Select(_ => random.NextDouble() * 4 - 2).ToArray();
        var keep = Enumerable.Range(0, h * w).Select(_ => random.NextDouble() < 0.3).ToArray();
        keep[0] = true;
        using var x = tensor(image.Select(v => (float)v).ToArray(), [1, 3, h, w]);
        using var k = tensor(keep.Select(v => v ? 1f : 0f).ToArray(), [1, 1, h, w]);
        using var imputed = LinearImputation.Impute(x, k);
        var actual = imputed.data<float>().ToArray();
        for (int c = 0; c < 3; c++)
        {
            var expected = DirectImpute(image.Skip(c * h * w).Take(h * w).ToArray(), keep, h, w);
            for (int i = 0; i < h * w; i++) Assert.Equal(expected[i], actual[c * h * w + i], 5);
        }
    }

    [Fact]
    public void Should_recover_a_plane_exactly_inside_the_image()
    {
        // An affine image is the weighted mean of its eight neighbours wherever all eight lie inside.
        const int n = 9;
        var plane = Enumerable.Range(0, 3 * n * n).Select(i => (float)(0.3 * (i % n) - 0.2 * (i / n % n) + i / (n * n))).ToArray();
        var keep = Enumerable.Range(0, n * n).Select(i => i % n is 0 or n - 1 || i / n is 0 or n - 1).Select(b => b ? 1f : 0f).ToArray();
        using var x = tensor(plane, [1, 3, n, n]);
        using var k = tensor(keep, [1, 1, n, n]);
        using var imputed = LinearImputation.Impute(x, k);
        Assert.All(imputed.data<float>().ToArray().Zip(plane), p => Assert.Equal(p.Second, p.First, 4));
    }

    [Fact]
    public void Should_refuse_to_impute_when_every_pixel_is_removed()
    {
        using var x = randn(1, 3, 4, 4);
        using var none = zeros(1, 1, 4, 4);
        Assert.Contains("nothing to start from", Assert.Throws<InvalidOperationException>(() => LinearImputation.Impute(x, none)).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(4096)]
    [InlineData(1000)]
    [InlineData(17)]
    public void Should_keep_as_many_pixels_as_numpy_percentile_keeps_below_it(int pixels)
    {
        // numpy: threshold = v[floor(i)] + (v[ceil(i)] - v[floor(i)]) * frac(i), i = p (N - 1) / 100; kept = #(v < threshold).
        var values = Enumerable.Range(0, pixels).Select(i => (double)i).ToArray();
        foreach (var p in new[] { 1, 10, 25, 30, 50, 70, 90, 99 })
        {
            double position = p * (pixels - 1) / 100.0;
            int low = (int)Math.Floor(position);
            double threshold = values[low] + (values[Math.Min(low + 1, pixels - 1)] - values[low]) * (position - low);
            Assert.Equal(values.Count(v => v < threshold), Road.Kept(p, pixels));
        }
    }

    [Fact]
    public void Should_score_the_imputed_images_and_combine_them_as_pytorch_grad_cam()
    {
        using var model = new LinearNet(seed: 2);
        using var x = randn(1, 3, 4, 4, generator: new TorchSharp.torch.Generator(9));
        var saliency = Enumerable.Range(0, 16).Select(i => (float)((i * 5) % 16)).ToArray();
        var options = new RoadOptions { Percentiles = [25, 50, 75], Noise = 0, Score = TrackedScore.Logit, BatchSize = 2 };
        var result = Road.Compute(model, x, saliency, 1, options);

        using var ranks = SaliencyRanking.RankImage(saliency, x);
        using var _ = no_grad();
        double f0 = model.call(x)[0, 1].item<float>();
        Assert.Equal(f0, result.BaseScore, 5);
        for (int i = 0; i < 3; i++)
        {
            int kept = Road.Kept(options.Percentiles[i], 16);
            using var morfKeep = ranks.ge(16 - kept).to(ScalarType.Float32);
            using var lerfKeep = ranks.lt(kept).to(ScalarType.Float32);
            using var morf = LinearImputation.Impute(x, morfKeep);
            using var lerf = LinearImputation.Impute(x, lerfKeep);
            Assert.Equal(model.call(morf)[0, 1].item<float>() - f0, result.MostRelevantFirst[i], 4);
            Assert.Equal(model.call(lerf)[0, 1].item<float>() - f0, result.LeastRelevantFirst[i], 4);
        }
        Assert.Equal([4, 8, 12], result.KeptPixels);
        Assert.Equal((result.LeastRelevantFirst.Average() - result.MostRelevantFirst.Average()) / 2, result.Combined, 12);
    }

    [Fact]
    public void Should_not_depend_on_the_batch_size_and_stay_defined_on_a_constant_map()
    {
        using var model = new LinearNet(seed: 1);
        using var x = randn(1, 3, 4, 4, generator: new TorchSharp.torch.Generator(3));
        var flat = new float[16];
        var one = Road.Compute(model, x, flat, 0, new RoadOptions { BatchSize = 1, Seed = 5 });
        var all = Road.Compute(model, x, flat, 0, new RoadOptions { BatchSize = 18, Seed = 5 });
        // Equal up to float32 rounding of the forward (a batch of 1 and of 18 take other kernels): 1e-6 on scores below 1.
        Assert.All(one.MostRelevantFirst.Zip(all.MostRelevantFirst), p => Assert.Equal(p.First, p.Second, 1e-6));
        Assert.All(one.LeastRelevantFirst.Zip(all.LeastRelevantFirst), p => Assert.Equal(p.First, p.Second, 1e-6));
        Assert.All(one.MostRelevantFirst.Concat(one.LeastRelevantFirst), v => Assert.True(double.IsFinite(v)));
        // The noise is part of the result: another seed, other numbers.
        var other = Road.Compute(model, x, flat, 0, new RoadOptions { Seed = 6 });
        Assert.NotEqual(one.MostRelevantFirst, other.MostRelevantFirst);
    }

    [Fact]
    public void Should_refuse_percentiles_outside_the_open_interval()
    {
        using var model = new LinearNet();
        using var x = randn(1, 3, 4, 4);
        Assert.Throws<ArgumentOutOfRangeException>(() => Road.Compute(model, x, new float[16], 0, new RoadOptions { Percentiles = [0, 50] }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Road.Compute(model, x, new float[16], 0, new RoadOptions { Percentiles = [100] }));
        Assert.Throws<ArgumentException>(() => Road.Compute(model, x, new float[16], 0, new RoadOptions { Percentiles = [] }));
    }
}
