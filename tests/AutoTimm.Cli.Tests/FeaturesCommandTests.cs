using System.Text.Json;
using AutoTimm.Imaging;

namespace AutoTimm.Cli.Tests;

public sealed class FeaturesCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cli-features-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Should_print_each_layers_statistics_and_write_the_figures()
    {
        var image = CliRunner.Sample("canvases/canvas_test_00002.png");
        var output = Path.Combine(_dir, "out");

        var (code, json) = CliRunner.Run("features", "--image", image, "--layers", "layer2,layer4", "--output-dir", output, "--num-features", "4",
            "--top-k", "2", "--channel", "3", "--format", "svg");

        Assert.True(code == 0, json.ToString());
        var layers = json.GetProperty("layers").EnumerateArray().ToList();
        Assert.Equal(["layer2", "layer4"], layers.Select(l => l.GetProperty("layer").GetString()));
        // The bundled CNN (resnet10_tiny at 64 px): 32 channels at 32x32, 128 at 8x8, after ReLUs.
        Assert.Equal((32, 32, 32), (layers[0].GetProperty("channels").GetInt32(), layers[0].GetProperty("height").GetInt32(), layers[0].GetProperty("width").GetInt32()));
        Assert.Equal((128, 8, 8), (layers[1].GetProperty("channels").GetInt32(), layers[1].GetProperty("height").GetInt32(), layers[1].GetProperty("width").GetInt32()));
        foreach (var layer in layers)
        {
            Assert.Equal(0, layer.GetProperty("min").GetDouble());
            Assert.InRange(layer.GetProperty("sparsity").GetDouble(), 0.01, 0.99);
            var top = layer.GetProperty("top_channels").EnumerateArray().Select(t => t.GetProperty("mean").GetDouble()).ToList();
            Assert.Equal(2, top.Count);
            Assert.True(top[0] >= top[1]);
            Assert.InRange(top[0], layer.GetProperty("mean").GetDouble(), layer.GetProperty("max").GetDouble());
            // The grid shows the most active channels first.
            Assert.Equal(layer.GetProperty("top_channels")[0].GetProperty("channel").GetInt32(), layer.GetProperty("figure_channels")[0].GetInt32());
            Assert.True(File.Exists(layer.GetProperty("figure").GetString()));
        }
        Assert.Equal(Path.Combine(output, "layer_comparison.svg"), json.GetProperty("comparison_figure").GetString());
        var field = json.GetProperty("receptive_field");
        Assert.Equal("layer2", field.GetProperty("layer").GetString());
        Assert.Equal(["layer2_channel3_receptive_field.svg", "layer2_features.svg", "layer4_features.svg", "layer_comparison.svg"],
            Directory.GetFiles(output).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Should_name_a_layer_that_does_not_exist_and_write_nothing()
    {
        var output = Path.Combine(_dir, "none");

        var (code, json) = CliRunner.Run("features", "--image", CliRunner.Sample("canvases/canvas_test_00002.png"), "--layers", "layer9", "--output-dir", output);

        Assert.Equal(1, code);
        Assert.Contains("layer9", json.GetProperty("error").GetString());
        Assert.False(Directory.Exists(output));
    }
}
