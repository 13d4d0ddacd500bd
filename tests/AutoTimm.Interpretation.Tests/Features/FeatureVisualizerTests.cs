using AutoTimm.Imaging;
using AutoTimm.Interpretation.Features;
using AutoTimm.Interpretation.Tests.Models;
using AutoTimm.Models;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Tests.Features;

public sealed class FeatureVisualizerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("features-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Tensor Input(int seed) => randn(3, 8, 8, generator: new TorchSharp.torch.Generator((ulong)seed));

    [Fact]
    public void Should_compute_the_statistics_of_the_activations_the_layer_produced()
    {
        using var model = new TinyConvNet(seed: 3);
        using var x = Input(1);
        var viz = new FeatureVisualizer(model);

        using var maps = viz.FeatureMaps(x, "relu");
        var stats = viz.Statistics(x, "relu");

        // The same activations, recomputed by hand: conv then ReLU.
        using var expected = nn.functional.relu(model.Conv.call(x.unsqueeze(0))).squeeze(0);
        Assert.Equal(expected.data<float>().ToArray(), maps.data<float>().ToArray());
        var values = maps.data<float>().Select(v => (double)v).ToArray();
        double mean = values.Average();
        Assert.Equal(mean, stats.Mean, 1e-12);
        Assert.Equal(Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1)), stats.Std, 1e-12);
        Assert.Equal(values.Count(v => v <= 0) / (double)values.Length, stats.Sparsity);
        Assert.Equal(values.Max(), stats.Max);
        Assert.Equal(0, stats.Min);
        var channelMeans = Enumerable.Range(0, 4).Select(c => values.Skip(c * 64).Take(64).Average()).ToArray();
        Assert.Equal(channelMeans.Count(m => m > 0), stats.ActiveChannels);
        Assert.Equal((4, 8, 8), (stats.Channels, stats.Height, stats.Width));
        Assert.Equal("relu", stats.Layer);
        Assert.InRange(stats.Sparsity, 0.05, 0.95);
    }

    [Fact]
    public void Should_compare_layers_from_one_forward_as_each_layer_alone()
    {
        using var model = new TinyConvNet(seed: 4);
        using var x = Input(2);
        var viz = new FeatureVisualizer(model);

        var together = viz.CompareLayers(x, ["conv", "relu"]);

        Assert.Equal(viz.Statistics(x, "conv"), together[0]);
        Assert.Equal(viz.Statistics(x, "relu"), together[1]);
        Assert.True(together[0].Min < 0 && together[1].Min == 0, "the convolution has negative outputs, its ReLU none");
    }

    [Fact]
    public void Should_rank_channels_by_mean_activation_and_select_them_by_each_order()
    {
        using var model = new TinyConvNet(seed: 5);
        using var x = Input(3);
        var viz = new FeatureVisualizer(model);
        using var maps = viz.FeatureMaps(x, "conv");
        var values = maps.data<float>().ToArray();
        double Mean(int c) => values.Skip(c * 64).Take(64).Average(v => (double)v);
        double Variance(int c) { var m = Mean(c); return values.Skip(c * 64).Take(64).Average(v => (v - m) * (v - m)); }

        var top = viz.TopActivatingChannels(x, "conv", 3);

        Assert.Equal(Enumerable.Range(0, 4).OrderByDescending(Mean).Take(3), top.Select(t => t.Channel));
        Assert.All(top, t => Assert.Equal(Mean(t.Channel), t.Mean, 1e-9));
        Assert.Equal(Enumerable.Range(0, 4).OrderByDescending(Variance), FeatureVisualizer.SelectChannels(maps, 4, FeatureOrder.Variance));
        var random = FeatureVisualizer.SelectChannels(maps, 4, FeatureOrder.Random, seed: 7);
        Assert.Equal(random, FeatureVisualizer.SelectChannels(maps, 4, FeatureOrder.Random, seed: 7));
        Assert.Equal([0, 1, 2, 3], random.Order());
    }

    // conv is linear: d mean(channel c) / d x[r, y, x] = (1/64) * sum of the kernel taps w[c, r, dy, dx] whose output
    // position (y - dy + 1, x - dx + 1) lies inside the 8x8 map. With absolute: true, the sum of |w| instead.
    private static double[,,] Coefficients(TinyConvNet model, int channel, bool absolute = false)
    {
        var w = model.Conv.weight!.data<float>().Select(v => absolute ? Math.Abs(v) : v).ToArray(); // [4, 3, 3, 3]
        var g = new double[3, 8, 8];
        for (int r = 0; r < 3; r++)
            for (int y = 0; y < 8; y++)
                for (int x = 0; x < 8; x++)
                    for (int dy = 0; dy < 3; dy++)
                        for (int dx = 0; dx < 3; dx++)
                        {
                            int oy = y - dy + 1, ox = x - dx + 1;
                            if (oy is >= 0 and < 8 && ox is >= 0 and < 8) g[r, y, x] += w[((channel * 3 + r) * 3 + dy) * 3 + dx] / 64.0;
                        }
        return g;
    }

    [Fact]
    public void Should_give_a_linear_layers_input_gradient_as_its_receptive_field()
    {
        using var model = new TinyConvNet(seed: 6);
        using var x = Input(4);
        var g = Coefficients(model, channel: 2);

        var field = new FeatureVisualizer(model).ReceptiveField(x, "conv", 2);

        Assert.Equal((8, 8, SensitivityMethod.Gradient), (field.Height, field.Width, field.Method));
        for (int y = 0; y < 8; y++)
            for (int xx = 0; xx < 8; xx++)
                Assert.Equal(Math.Abs(g[0, y, xx]) + Math.Abs(g[1, y, xx]) + Math.Abs(g[2, y, xx]), field.Raw[y * 8 + xx], 1e-6);
    }

    [Fact]
    public void Should_measure_occlusion_drops_batched_as_one_at_a_time_and_as_the_linear_layer_gives_them()
    {
        using var model = new TinyConvNet(seed: 7);
        using var x = Input(5);
        var g = Coefficients(model, channel: 1);
        var pixels = x.data<float>().ToArray();
        var viz = new FeatureVisualizer(model);

        var batched = viz.ReceptiveField(x, "conv", 1, SensitivityMethod.Occlusion, patch: 4, batchSize: 4);
        var single = viz.ReceptiveField(x, "conv", 1, SensitivityMethod.Occlusion, patch: 4, batchSize: 1);

        // libtorch may sum in another order per batch size: each float32 channel mean (27 taps, 64 positions, a bias)
        // is within gamma_n of its terms' absolute sum, and a drop is the difference of two such means.
        var a = Coefficients(model, channel: 1, absolute: true);
        double terms = Math.Abs(model.Conv.bias![1].item<float>());
        for (int r = 0; r < 3; r++)
            for (int y = 0; y < 8; y++)
                for (int xx = 0; xx < 8; xx++) terms += Math.Abs(pixels[(r * 8 + y) * 8 + xx]) * a[r, y, xx];
        const double u = 1.0 / (1 << 24);
        double bound = 2 * (92 * u / (1 - 92 * u)) * terms;
        Assert.All(batched.Raw.Zip(single.Raw), p => Assert.InRange(Math.Abs(p.First - p.Second), 0, bound));
        // Zeroing a patch removes exactly its pixels' share of the channel mean.
        for (int py = 0; py < 8; py += 4)
            for (int px = 0; px < 8; px += 4)
            {
                double drop = 0;
                for (int r = 0; r < 3; r++)
                    for (int y = py; y < py + 4; y++)
                        for (int xx = px; xx < px + 4; xx++) drop += pixels[(r * 8 + y) * 8 + xx] * g[r, y, xx];
                Assert.InRange(Math.Abs(drop - batched.Raw[py * 8 + px]), 0, bound + 1e-7 * Math.Abs(drop)); // + the float32 result's rounding
                Assert.Equal(batched.Raw[py * 8 + px], batched.Raw[(py + 3) * 8 + px + 3]);
            }
    }

    [Fact]
    public void Should_write_the_figures_as_png_at_scale_and_as_svg()
    {
        using var model = new TinyConvNet(seed: 8);
        using var x = Input(6);
        var viz = new FeatureVisualizer(model);

        var shown = viz.SaveFeatureMaps(x, "conv", Path.Combine(_dir, "maps.png"), numFeatures: 3);
        viz.SaveFeatureMaps(x, "conv", Path.Combine(_dir, "maps2.png"), numFeatures: 3, scale: 2);
        viz.SaveFeatureMaps(x, "conv", Path.Combine(_dir, "maps.svg"), numFeatures: 3);
        FeatureVisualizer.SaveLayerComparison(viz.CompareLayers(x, ["conv", "relu"]), Path.Combine(_dir, "layers.png"));
        FeatureVisualizer.SaveReceptiveField(viz.ReceptiveField(x, "conv", shown[0]), Path.Combine(_dir, "field.svg"));

        Assert.Equal(3, shown.Count);
        var one = ImageIO.Load(Path.Combine(_dir, "maps.png"));
        var two = ImageIO.Load(Path.Combine(_dir, "maps2.png"));
        // 3 panels: a 2x2 grid of 180-pixel panels under a 36-pixel heading; twice that at scale 2.
        Assert.Equal((360, 396), (one.Width, one.Height));
        Assert.Equal((720, 792), (two.Width, two.Height));
        var svg = System.Xml.Linq.XDocument.Load(Path.Combine(_dir, "maps.svg")).Root!;
        Assert.Equal(3, svg.Elements(svg.Name.Namespace + "svg").Count());
        Assert.Contains("conv: 3 of 4 channels by activation", svg.Value);
        Assert.Single(System.Xml.Linq.XDocument.Load(Path.Combine(_dir, "field.svg")).Root!.Elements(svg.Name.Namespace + "svg"));
        Assert.Throws<ArgumentException>(() => viz.SaveFeatureMaps(x, "conv", Path.Combine(_dir, "maps.jpg")));
    }

    [Fact]
    public void Should_name_the_layer_or_channel_that_does_not_fit()
    {
        using var model = new TinyConvNet(seed: 9);
        using var x = Input(7);
        var viz = new FeatureVisualizer(model);

        Assert.Contains("'fc'", Assert.Throws<ArgumentException>(() => viz.FeatureMaps(x, "fc")).Message);
        Assert.Contains("channels 0..3", Assert.Throws<ArgumentOutOfRangeException>(() => viz.ReceptiveField(x, "conv", 4)).Message);
    }

    [Fact]
    public void Should_lay_a_transformers_tokens_out_on_its_patch_grid()
    {
        using var vit = ModelZoo.Create("vit_pico_patch8_64", 4);
        using var x = randn(3, 64, 64, generator: new TorchSharp.torch.Generator(10));
        var viz = new FeatureVisualizer(vit);

        var stats = viz.Statistics(x, "blocks.5");

        Assert.Equal((96, 8, 8), (stats.Channels, stats.Height, stats.Width));
    }
}
