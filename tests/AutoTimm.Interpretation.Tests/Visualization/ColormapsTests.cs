using System.Security.Cryptography;
using AutoTimm.Imaging;
using AutoTimm.Interpretation.Visualization;

namespace AutoTimm.Interpretation.Tests.Visualization;

public sealed class ColormapsTests
{
    private static readonly System.Text.Json.JsonElement Samples = VisualizationFixtures.Json("colormaps", "matplotlib_samples.json").GetProperty("colormaps");

    public static TheoryData<string> AllNames()
    {
        var data = new TheoryData<string>();
        foreach (var name in Colormaps.Names)
        {
            data.Add(name);
            data.Add(name + "_r");
        }
        return data;
    }

    [Fact]
    public void Should_list_the_ten_base_colormaps()
    {
        Assert.Equal(["viridis", "plasma", "inferno", "magma", "cividis", "turbo", "hot", "jet", "gray", "coolwarm"], Colormaps.Names);
    }

    [Theory]
    [MemberData(nameof(AllNames))]
    public void Should_equal_the_whole_matplotlib_table(string name)
    {
        // Given the SHA-256 of matplotlib's cmap(np.arange(256), bytes=True)[:, :3]
        var expected = Samples.GetProperty(name).GetProperty("sha256").GetString();

        // When hashing our table, Then they are the same 768 bytes
        Assert.Equal(expected, Convert.ToHexStringLower(SHA256.HashData(Colormaps.Get(name).Table)));
    }

    [Theory]
    [MemberData(nameof(AllNames))]
    public void Should_equal_matplotlib_at_sampled_indices(string name)
    {
        var map = Colormaps.Get(name);
        foreach (var entry in Samples.GetProperty(name).GetProperty("entries").EnumerateObject())
        {
            var rgb = VisualizationFixtures.Bytes(entry.Value);
            Assert.Equal(new Rgb(rgb[0], rgb[1], rgb[2]), map[int.Parse(entry.Name, System.Globalization.CultureInfo.InvariantCulture)]);
        }
    }

    [Fact]
    public void Should_hold_known_matplotlib_colours()
    {
        // Values printed by matplotlib 3.6.3: cmap(i, bytes=True).
        Assert.Equal(new Rgb(68, 1, 84), Colormaps.Get("viridis")[0]);
        Assert.Equal(new Rgb(32, 144, 140), Colormaps.Get("viridis")[128]);
        Assert.Equal(new Rgb(253, 231, 36), Colormaps.Get("viridis")[255]);
        Assert.Equal(new Rgb(0, 0, 0), Colormaps.Get("gray")[0]);
        Assert.Equal(new Rgb(255, 255, 255), Colormaps.Get("gray")[255]);
        Assert.Equal(new Rgb(253, 231, 36), Colormaps.Get("viridis_r")[0]);
    }

    [Theory]
    [MemberData(nameof(AllNames))]
    public void Should_colour_values_as_matplotlib_apply_colormap(string name)
    {
        // Given float32 values (bin edges, values just below them, out of range) and what the Python apply_colormap gave
        var samples = Samples.GetProperty(name).GetProperty("apply").EnumerateArray().ToArray();
        var values = samples.Select(s => (float)s.GetProperty("value").GetDouble()).ToArray();

        // When colouring them as a 1-row map
        var image = Colormaps.Apply(values, values.Length, 1, name);

        // Then every pixel is matplotlib's
        for (var i = 0; i < samples.Length; i++)
        {
            var rgb = VisualizationFixtures.Bytes(samples[i].GetProperty("rgb"));
            Assert.Equal(new Rgb(rgb[0], rgb[1], rgb[2]), image.GetPixel(i, 0));
        }
    }

    [Fact]
    public void Should_map_zero_to_the_first_entry_and_one_to_the_last()
    {
        foreach (var name in Colormaps.Names)
        {
            var map = Colormaps.Get(name);
            var image = Colormaps.Apply([0f, 1f], 2, 1, name);
            Assert.Equal(map[0], image.GetPixel(0, 0));
            Assert.Equal(map[255], image.GetPixel(1, 0));
        }
    }

    [Fact]
    public void Should_colour_a_heatmap_at_its_own_resolution()
    {
        // Given a 3x2 heatmap whose raw values normalize to 0, 0.2, 0.4, 0.6, 0.8, 1
        var heatmap = VisualizationFixtures.Map([0f, 1f, 2f, 3f, 4f, 5f], 3, 2);

        // When colouring it with hot
        var image = Colormaps.Apply(heatmap, "hot");

        // Then each pixel is entry floor(v * 256) of hot: 0, 51, 102, 153, 204, 255
        var hot = Colormaps.Get("hot");
        Assert.Equal((3, 2), (image.Width, image.Height));
        int[] expected = [0, 51, 102, 153, 204, 255];
        for (var i = 0; i < 6; i++) Assert.Equal(hot[expected[i]], image.GetPixel(i % 3, i / 3));
    }

    [Fact]
    public void Should_find_names_case_insensitively_and_cache_maps()
    {
        Assert.Same(Colormaps.Get("viridis"), Colormaps.Get(" Viridis "));
        Assert.Equal("plasma_r", Colormaps.Get("PLASMA_R").Name);
    }

    [Fact]
    public void Should_list_known_names_when_a_name_is_unknown()
    {
        var error = Assert.Throws<ArgumentException>(() => Colormaps.Get("rainbow"));
        Assert.Contains("'rainbow'", error.Message);
        foreach (var name in Colormaps.Names) Assert.Contains(name, error.Message);
        Assert.Throws<ArgumentException>(() => Colormaps.Get("_r"));
        Assert.Throws<ArgumentException>(() => Colormaps.Apply([0.5f], 1, 1, "Greys"));
    }

    [Fact]
    public void Should_refuse_a_map_whose_length_is_not_width_times_height()
    {
        var error = Assert.Throws<ArgumentException>(() => Colormaps.Apply(new float[5], 3, 2));
        Assert.Contains("Expected 6 values for a 3x2 map, got 5", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Colormaps.Apply([], 0, 1));
    }
}
