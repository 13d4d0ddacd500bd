using AutoTimm.Interpretation.Visualization;

namespace AutoTimm.Interpretation.Tests.Visualization;

public sealed class MapResamplerTests
{
    [Fact]
    public void Should_equal_opencv_bilinear_resize()
    {
        // Given cv2.resize(map, (W, H)) outputs for enlarging, reducing (including exactly 2x) and mixed cases
        foreach (var c in VisualizationFixtures.Json("overlay", "opencv_samples.json").GetProperty("resize").EnumerateArray())
        {
            var outWidth = c.GetProperty("outWidth").GetInt32();
            var outHeight = c.GetProperty("outHeight").GetInt32();

            // When resizing the same map
            var result = MapResampler.Bilinear(VisualizationFixtures.Floats(c.GetProperty("values")), c.GetProperty("width").GetInt32(), c.GetProperty("height").GetInt32(), outWidth, outHeight);

            // Then values agree to float rounding
            var expected = VisualizationFixtures.Floats(c.GetProperty("expected"));
            Assert.Equal(expected.Length, result.Length);
            for (var i = 0; i < expected.Length; i++) Assert.Equal(expected[i], result[i], 1e-6f);
        }
    }

    [Fact]
    public void Should_interpolate_half_pixel_centres_by_hand()
    {
        // 2 -> 4: output x samples source 0.25*2-0.5... = -0.25 (clamped 0), 0.25, 0.75, 1.25 (clamped 1)
        Assert.Equal([10f, 12.5f, 17.5f, 20f], MapResampler.Bilinear([10f, 20f], 2, 1, 4, 1));
        // 4 -> 2: centres at 0.5 and 2.5, the means of neighbouring pairs
        Assert.Equal([1.5f, 5.5f], MapResampler.Bilinear([1f, 2f, 5f, 6f], 4, 1, 2, 1));
    }

    [Fact]
    public void Should_copy_when_the_size_is_unchanged()
    {
        float[] source = [1f, 2f, 3f, 4f];
        var result = MapResampler.Bilinear(source, 2, 2, 2, 2);
        Assert.Equal(source, result);
        Assert.NotSame(source, result);
    }

    [Fact]
    public void Should_repeat_pixels_with_nearest()
    {
        Assert.Equal([1f, 1f, 1f, 2f, 2f, 2f], MapResampler.Nearest([1f, 2f], 2, 1, 6, 1));
        Assert.Equal([2f, 4f], MapResampler.Nearest([1f, 2f, 3f, 4f], 4, 1, 2, 1)); // inputs floor((i + 0.5) * 2) = 1, 3
    }

    [Fact]
    public void Should_refuse_bad_sizes()
    {
        Assert.Throws<ArgumentException>(() => MapResampler.Bilinear(new float[3], 2, 2, 4, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => MapResampler.Bilinear(new float[4], 2, 2, 0, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => MapResampler.Nearest(new float[4], 2, 2, 4, -1));
    }
}
