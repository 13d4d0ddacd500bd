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

        // Then every channel of every pixel is PIL's (the same fixed-point arithmetic, so exactly)
        Assert.Equal((width, height), (actual.Width, actual.Height));
        Assert.Equal(expected.Pixels.ToArray(), actual.Pixels.ToArray());
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

    [Theory]
    [InlineData(ResizeInterpolation.Bilinear)]
    [InlineData(ResizeInterpolation.Bicubic)]
    [InlineData(ResizeInterpolation.Nearest)]
    public void Should_give_a_window_of_the_output_the_bytes_of_resizing_whole_and_cropping(ResizeInterpolation interpolation)
    {
        // Given a 97x61 image of random pixels
        var random = new Random(7);
        var pixels = new byte[97 * 61 * 3];
        random.NextBytes(pixels);
        var image = new RgbImage(97, 61, pixels);

        // Sizes that shrink, grow, and keep one side (where that axis is copied, not resampled)
        foreach (var (w, h) in new[] { (40, 29), (131, 77), (97, 30), (50, 61), (97, 61) })
        {
            var whole = image.Resize(w, h, interpolation);
            foreach (var window in new Resampler.Window[] { new(0, 0, w, h), new(0, 0, 1, 1), new(w - 1, h - 1, 1, 1), new(w / 3, h / 4, w / 2, h / 2), new(3, 0, w - 3, h) })
            {
                // When only the window is computed
                var part = Resampler.Resize(pixels, 97, 61, w, h, interpolation, window);

                // Then it holds exactly the window's bytes of the whole output
                Assert.Equal(whole.Crop(window.Left, window.Top, window.Width, window.Height).Pixels.ToArray(), part);
            }
        }
    }

    [Fact]
    public void Should_refuse_a_window_outside_the_output()
    {
        var pixels = new byte[4 * 4 * 3];
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Resampler.Resize(pixels, 4, 4, 8, 8, ResizeInterpolation.Bilinear, new Resampler.Window(5, 0, 4, 8)));
        Assert.Contains("8x8", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(60, 40, 32, 32)]
    [InlineData(37, 23, 20, 23)]
    [InlineData(37, 23, 37, 23)]
    [InlineData(20, 12, 24, 16)]
    public void Should_resize_and_center_crop_as_the_two_steps_do(int width, int height, int cropWidth, int cropHeight)
    {
        // Given the 37x23 fixture, resized to width x height then center-cropped (black outside where the crop is larger)
        var input = ImagingFixtures.Load("resize", "input.png");
        foreach (var interpolation in Enum.GetValues<ResizeInterpolation>())
        {
            var expected = input.Resize(width, height, interpolation).CenterCrop(cropWidth, cropHeight);

            // When done in one step
            var actual = input.ResizeAndCenterCrop(width, height, cropWidth, cropHeight, interpolation);

            // Then the bytes are the same
            Assert.Equal((cropWidth, cropHeight), (actual.Width, actual.Height));
            Assert.Equal(expected.Pixels.ToArray(), actual.Pixels.ToArray());
        }
    }
}
