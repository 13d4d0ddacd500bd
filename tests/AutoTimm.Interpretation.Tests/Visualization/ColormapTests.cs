using AutoTimm.Imaging;
using AutoTimm.Interpretation.Visualization;

namespace AutoTimm.Interpretation.Tests.Visualization;

public sealed class ColormapTests
{
    [Theory]
    [InlineData(0f, 0)]
    [InlineData(0.00390625f, 1)] // 1/256: the first bin edge
    [InlineData(0.0039062497f, 0)] // just below it
    [InlineData(0.3f, 76)] // floor(76.8), where round(v * 255) would give 77
    [InlineData(0.5f, 128)]
    [InlineData(0.49999997f, 127)]
    [InlineData(0.99999994f, 255)]
    [InlineData(1f, 255)]
    [InlineData(-0.2f, 0)]
    [InlineData(1.5f, 255)]
    [InlineData(float.PositiveInfinity, 255)]
    [InlineData(float.NegativeInfinity, 0)]
    [InlineData(float.NaN, -1)]
    public void Should_index_values_as_matplotlib(float value, int index)
    {
        Assert.Equal(index, Colormap.IndexOf(value));
    }

    [Fact]
    public void Should_map_nan_to_black_as_matplotlib_bad_colour()
    {
        Assert.Equal(new Rgb(0, 0, 0), Colormaps.Get("viridis").Map(float.NaN));
        Assert.Equal(new Rgb(0, 0, 0), Colormaps.Apply([float.NaN], 1, 1, "viridis").GetPixel(0, 0));
    }

    [Fact]
    public void Should_map_a_value_to_its_entry()
    {
        var magma = Colormaps.Get("magma");
        Assert.Equal(magma[76], magma.Map(0.3f));
        Assert.Equal(magma[255], magma.Map(2f));
    }

    [Fact]
    public void Should_expose_256_rgb_entries()
    {
        var map = Colormaps.Get("turbo");
        Assert.Equal(Colormap.Size * 3, map.Table.Length);
        Assert.Equal(new Rgb(map.Table[3 * 200], map.Table[(3 * 200) + 1], map.Table[(3 * 200) + 2]), map[200]);
        Assert.Throws<ArgumentOutOfRangeException>(() => map[256]);
        Assert.Throws<ArgumentOutOfRangeException>(() => map[-1]);
        Assert.Equal("Colormap turbo", map.ToString());
    }

    [Fact]
    public void Should_reverse_the_ListedColormaps_exactly()
    {
        var viridis = Colormaps.Get("viridis");
        var reversed = Colormaps.Get("viridis_r");
        for (var i = 0; i < Colormap.Size; i++) Assert.Equal(viridis[i], reversed[255 - i]);
    }
}
