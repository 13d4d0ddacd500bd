using AutoTimm.Imaging;

namespace AutoTimm.Tests.Imaging;

/// <summary>PixelPacking's RGB and RGBA conversions against the byte-by-byte definition.</summary>
public sealed class PixelPackingTests
{
    // 0-3 pixels take only the scalar tail; from 6 on the four-pixel steps run, with every tail length after them.
    public static TheoryData<int> PixelCounts => [.. Enumerable.Range(0, 23), 224 * 224];

    [Theory]
    [MemberData(nameof(PixelCounts))]
    public void Should_drop_the_alpha_byte_of_each_pixel(int pixels)
    {
        var rgba = RandomBytes(pixels * 4, pixels);
        var rgb = new byte[pixels * 3];

        PixelPacking.RgbaToRgb(rgba, rgb);

        var expected = Enumerable.Range(0, pixels * 4).Where(i => i % 4 != 3).Select(i => rgba[i]).ToArray();
        Assert.Equal(expected, rgb);
    }

    [Theory]
    [MemberData(nameof(PixelCounts))]
    public void Should_add_an_opaque_alpha_byte_to_each_pixel(int pixels)
    {
        var rgb = RandomBytes(pixels * 3, pixels);
        var rgba = new byte[pixels * 4];

        PixelPacking.RgbToOpaqueRgba(rgb, rgba);

        var expected = Enumerable.Range(0, pixels).SelectMany(p => new[] { rgb[p * 3], rgb[(p * 3) + 1], rgb[(p * 3) + 2], (byte)255 }).ToArray();
        Assert.Equal(expected, rgba);
    }

    [Fact]
    public void Should_refuse_buffers_of_different_pixel_counts()
    {
        Assert.Throws<ArgumentException>(() => PixelPacking.RgbaToRgb(new byte[16], new byte[9]));
        Assert.Throws<ArgumentException>(() => PixelPacking.RgbToOpaqueRgba(new byte[12], new byte[12]));
    }

    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
