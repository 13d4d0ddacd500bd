using AutoTimm.Imaging;

namespace AutoTimm.Tests.Imaging;

/// <summary>RgbImage.Resize against PIL's Image.resize (fixtures from tools/fixtures/make_imaging_fixtures.py).</summary>
public sealed class ResamplerTests
{
    [Theory]
    [InlineData("bilinear", ResizeInterpolation.Bilinear, 13, 9)]
    [InlineData("bilinear", ResizeInterpolation.Bilinear, 53, 31)]
    [InlineData("bilinear", ResizeInterpolation.Bilinear, 50, 11)]
    [InlineData("bilinear", ResizeInterpolation.Bilinear, 5, 4)]
    [InlineData("bicubic", ResizeInterpolation.Bicubic, 13, 9)]
    [InlineData("bicubic", ResizeInterpolation.Bicubic, 53, 31)]
    [InlineData("bicubic", ResizeInterpolation.Bicubic, 50, 11)]
    [InlineData("bicubic", ResizeInterpolation.Bicubic, 5, 4)]
    [InlineData("nearest", ResizeInterpolation.Nearest, 13, 9)]
    [InlineData("nearest", ResizeInterpolation.Nearest, 53, 31)]
    [InlineData("nearest", ResizeInterpolation.Nearest, 50, 11)]
    [InlineData("nearest", ResizeInterpolation.Nearest, 5, 4)]
    public void Should_match_PIL_resize_of_a_non_square_image(string name, ResizeInterpolation interpolation, int width, int height)
    {
        // Given the 37x23 input and PIL's resize of it
        var input = ImagingFixtures.Load("resize", "input.png");
        var expected = ImagingFixtures.Load("resize", $"{name}_{width}x{height}.png");

        // When resized here
        var actual = input.Resize(width, height, interpolation);

        // Then every channel of every pixel is within one intensity level (measured: identical to PIL)
        Assert.Equal((width, height), (actual.Width, actual.Height));
        Assert.True(ImagingFixtures.MaxAbsDiff(expected, actual) <= 1, $"max abs diff {ImagingFixtures.MaxAbsDiff(expected, actual)}");
    }

    [Fact]
    public void Should_average_pixel_pairs_when_halving_width_bilinearly()
    {
        // Given a 4x1 row 0, 100, 200, 50: halving spans exactly two source pixels per output with the stretched
        // triangle filter (support 2), weights 1/8, 3/8, 3/8, 1/8 around each centre.
        var image = new RgbImage(4, 1, [0, 0, 0, 100, 100, 100, 200, 200, 200, 50, 50, 50]);

        var half = image.Resize(2, 1, ResizeInterpolation.Bilinear);

        // Then output 0 = (3*0 + 3*100 + 1*200) / 7 (left tap clipped at the border) = 71.4 -> 71,
        // output 1 = (1*100 + 3*200 + 3*50) / 7 = 121.4 -> 121
        Assert.Equal(new Rgb(71, 71, 71), half.GetPixel(0, 0));
        Assert.Equal(new Rgb(121, 121, 121), half.GetPixel(1, 0));
    }

    [Fact]
    public void Should_keep_a_constant_image_constant_for_every_filter()
    {
        var image = RgbImage.Filled(17, 9, new Rgb(10, 128, 250));
        foreach (var interpolation in Enum.GetValues<ResizeInterpolation>())
        {
            foreach (var (w, h) in new[] { (5, 3), (40, 21), (3, 30) })
            {
                var resized = image.Resize(w, h, interpolation);
                Assert.All(Enumerable.Range(0, w * h), i => Assert.Equal(new Rgb(10, 128, 250), resized.GetPixel(i % w, i / w)));
            }
        }
    }
}
