using AutoTimm.Imaging;
using AutoTimm.Interpretation.Visualization;

namespace AutoTimm.Interpretation.Tests.Visualization;

public sealed class OverlayTests
{
    [Fact]
    public void Should_blend_a_2x2_heatmap_by_hand()
    {
        // Given a 2x2 image and a heatmap normalizing to 0, 1, 0.5, 0.25 (viridis entries 0, 255, 128, 64:
        // (68,1,84), (253,231,36), (32,144,140), (58,82,139))
        var image = new RgbImage(2, 2, [100, 200, 40, 0, 0, 0, 255, 255, 255, 10, 20, 30]);
        var heatmap = VisualizationFixtures.Map([0f, 1f, 0.5f, 0.25f], 2, 2);

        // When overlaying with alpha 0.25
        var result = Overlay.Heatmap(image, heatmap, alpha: 0.25, colormap: "viridis");

        // Then out = 0.75 * image + 0.25 * color, rounded half to even
        Assert.Equal(new Rgb(92, 150, 51), result.GetPixel(0, 0));   // 75+17, 150+0.25, 30+21
        Assert.Equal(new Rgb(63, 58, 9), result.GetPixel(1, 0));     // 63.25, 57.75, 9
        Assert.Equal(new Rgb(199, 227, 226), result.GetPixel(0, 1)); // 191.25+8, 191.25+36, 191.25+35
        Assert.Equal(new Rgb(22, 36, 57), result.GetPixel(1, 1));    // 7.5+14.5, 15+20.5 = 35.5 -> 36, 22.5+34.75
    }

    [Fact]
    public void Should_equal_opencv_add_weighted_of_the_python_overlay()
    {
        // Given the Python overlay_heatmap's outputs (cv2.resize, matplotlib colormap, cv2.addWeighted)
        foreach (var c in VisualizationFixtures.Json("overlay", "opencv_samples.json").GetProperty("overlay").EnumerateArray())
        {
            var image = new RgbImage(c.GetProperty("imageWidth").GetInt32(), c.GetProperty("imageHeight").GetInt32(), VisualizationFixtures.Bytes(c.GetProperty("image")));
            var heatmap = VisualizationFixtures.Map(VisualizationFixtures.Floats(c.GetProperty("map")), c.GetProperty("mapWidth").GetInt32(), c.GetProperty("mapHeight").GetInt32());

            // When overlaying with the same alpha and colormap (resizing when sizes differ)
            var result = Overlay.Heatmap(image, heatmap, c.GetProperty("alpha").GetDouble(), c.GetProperty("colormap").GetString()!);

            // Then every byte is the same
            Assert.Equal(VisualizationFixtures.Bytes(c.GetProperty("expected")), result.ToArray());
        }
    }

    [Fact]
    public void Should_give_the_image_at_alpha_zero_and_the_colours_at_alpha_one()
    {
        var image = VisualizationFixtures.Scene(6, 4);
        var heatmap = VisualizationFixtures.Blob(6, 4, 0.5, 0.5, 0.3);

        Assert.Equal(image.ToArray(), Overlay.Heatmap(image, heatmap, alpha: 0).ToArray());
        Assert.Equal(Colormaps.Apply(heatmap, "plasma").ToArray(), Overlay.Heatmap(image, heatmap, alpha: 1, colormap: "plasma").ToArray());
    }

    [Fact]
    public void Should_resize_the_heatmap_to_the_image_bilinearly()
    {
        // Given a 4x2 image and a 2x1 heatmap [0, 1]
        var image = RgbImage.Filled(4, 2, new Rgb(0, 0, 0));
        var heatmap = VisualizationFixtures.Map([0f, 1f], 2, 1);

        // When overlaying at alpha 1 (only the colours show)
        var result = Overlay.Heatmap(image, heatmap, alpha: 1, colormap: "gray");

        // Then columns hold half-pixel bilinear samples 0, 0.25, 0.75, 1 -> gray entries 0, 64, 192, 255
        byte[] expected = [0, 64, 192, 255];
        for (var y = 0; y < 2; y++)
        {
            for (var x = 0; x < 4; x++) Assert.Equal(new Rgb(expected[x], expected[x], expected[x]), result.GetPixel(x, y));
        }
    }

    [Fact]
    public void Should_refuse_differing_sizes_without_resizing()
    {
        var image = RgbImage.Filled(4, 3, new Rgb(1, 2, 3));
        var heatmap = VisualizationFixtures.Map([0f, 1f, 0.5f, 0.2f], 2, 2);

        var error = Assert.Throws<ArgumentException>(() => Overlay.Heatmap(image, heatmap, resizeHeatmap: false));
        Assert.Contains("heatmap is 2x2 but the image is 4x3", error.Message);
        Assert.Equal("resizeHeatmap", error.ParamName);
    }

    [Theory]
    [InlineData(-0.01)]
    [InlineData(1.01)]
    [InlineData(double.NaN)]
    public void Should_refuse_alpha_outside_zero_to_one(double alpha)
    {
        var image = RgbImage.Filled(2, 2, new Rgb(1, 2, 3));
        var heatmap = VisualizationFixtures.Map([0f, 1f, 0.5f, 0.2f], 2, 2);
        Assert.Throws<ArgumentOutOfRangeException>(() => Overlay.Heatmap(image, heatmap, alpha));
        Assert.Throws<ArgumentOutOfRangeException>(() => Overlay.Blend(image, image, alpha));
    }

    [Fact]
    public void Should_check_arguments()
    {
        var image = RgbImage.Filled(2, 2, new Rgb(1, 2, 3));
        Assert.Throws<ArgumentNullException>(() => Overlay.Heatmap(null!, VisualizationFixtures.Map([0f, 1f], 2, 1)));
        Assert.Throws<ArgumentNullException>(() => Overlay.Heatmap(image, (Heatmap)null!));
        Assert.Throws<ArgumentException>(() => Overlay.Heatmap(image, new float[3], 2, 2));
        Assert.Throws<ArgumentException>(() => Overlay.Heatmap(image, new float[4], 2, 2, colormap: "nope"));
        Assert.Throws<ArgumentException>(() => Overlay.Blend(image, RgbImage.Filled(3, 2, default), 0.5));
    }

    [Fact]
    public void Should_blend_two_images()
    {
        var bottom = new RgbImage(1, 1, [10, 100, 255]);
        var top = new RgbImage(1, 1, [30, 0, 0]);
        Assert.Equal(new Rgb(20, 50, 128), Overlay.Blend(bottom, top, 0.5).GetPixel(0, 0)); // 127.5 -> 128 (even)
    }

    [Theory]
    [InlineData(0.4)]
    [InlineData(0.5)]
    [InlineData(1.0 / 3)]
    [InlineData(0.0)]
    [InlineData(1.0)]
    public void Should_blend_every_pair_of_byte_values_as_addWeighted_does(double alpha)
    {
        // Every (bottom, top) pair in the red and green channels of a 256 x 256 image (a whole number of vectors), and
        // a one-row image of 7 pixels (a part vector): each value against addWeighted's arithmetic, one at a time.
        var (a, b) = ((float)(1.0 - alpha), (float)alpha);
        byte Expected(byte x, byte y)
        {
            var value = MathF.Round((x * a) + (y * b), MidpointRounding.ToEven);
            return value <= 0f ? (byte)0 : value >= 255f ? (byte)255 : (byte)value;
        }
        foreach (var (width, height) in new[] { (256, 256), (7, 1) })
        {
            var bottomPixels = new byte[width * height * 3];
            var topPixels = new byte[width * height * 3];
            for (int p = 0; p < width * height; p++)
            {
                (bottomPixels[p * 3], bottomPixels[(p * 3) + 1], bottomPixels[(p * 3) + 2]) = ((byte)(p >> 8), (byte)p, (byte)(p * 7));
                (topPixels[p * 3], topPixels[(p * 3) + 1], topPixels[(p * 3) + 2]) = ((byte)p, (byte)(p >> 8), (byte)(255 - p));
            }

            var blended = Overlay.Blend(new RgbImage(width, height, bottomPixels), new RgbImage(width, height, topPixels), alpha).Pixels.ToArray();

            Assert.Equal(bottomPixels.Select((x, i) => Expected(x, topPixels[i])).ToArray(), blended);
        }
    }
}
