using AutoTimm.Imaging;
using TorchSharp;

namespace AutoTimm.Tests.Imaging;

public sealed class RgbImageTests
{
    // These tests call TorchSharp directly, possibly before any AutoTimm type loads the natives.
    /// <summary>4x3 image whose pixel (x, y) is (x, y, 10x + y): every pixel tells where it came from.</summary>
    private static RgbImage Coordinates(int width = 4, int height = 3) =>
        RgbImage.Create(width, height, (x, y) => new Rgb((byte)x, (byte)y, (byte)((10 * x) + y)));

    [Fact]
    public void Should_read_pixels_from_interleaved_rows()
    {
        // Given a 2x2 image in HWC order: row 0 = red, green; row 1 = blue, white
        byte[] data = [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255];

        var image = new RgbImage(2, 2, data);
        data[0] = 7; // the image holds its own copy

        Assert.Equal(new Rgb(255, 0, 0), image.GetPixel(0, 0));
        Assert.Equal(new Rgb(0, 255, 0), image.GetPixel(1, 0));
        Assert.Equal(new Rgb(0, 0, 255), image.GetPixel(0, 1));
        Assert.Equal(new Rgb(255, 255, 255), image.GetPixel(1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => image.GetPixel(2, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => image.GetPixel(0, -1));
    }

    [Fact]
    public void Should_refuse_wrong_buffer_lengths_and_empty_sizes()
    {
        var e = Assert.Throws<ArgumentException>(() => new RgbImage(2, 2, new byte[11]));
        Assert.Contains("12", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new RgbImage(0, 2, []));
        Assert.Throws<ArgumentOutOfRangeException>(() => RgbImage.Filled(3, -1, default));
    }

    [Fact]
    public void Should_crop_a_rectangle_inside_the_image()
    {
        var crop = Coordinates().Crop(1, 1, 2, 2);

        Assert.Equal((2, 2), (crop.Width, crop.Height));
        Assert.Equal(new Rgb(1, 1, 11), crop.GetPixel(0, 0));
        Assert.Equal(new Rgb(2, 2, 22), crop.GetPixel(1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Coordinates().Crop(3, 0, 2, 1));
    }

    [Fact]
    public void Should_center_crop_with_offsets_rounded_half_to_even_like_torchvision()
    {
        // 7 - 2 = 5 -> offset round(2.5) = 2 (not 3); 5 - 2 = 3 -> round(1.5) = 2
        var crop = Coordinates(7, 5).CenterCrop(2, 2);

        Assert.Equal(new Rgb(2, 2, 22), crop.GetPixel(0, 0));
    }

    [Fact]
    public void Should_pad_with_black_when_the_center_crop_is_larger_than_the_image()
    {
        // torchvision pads left (4-2)//2 = 1, top (3-2)//2 = 0, then crops 4x3
        var crop = Coordinates(2, 2).CenterCrop(4, 3);

        Assert.Equal(default, crop.GetPixel(0, 0));
        Assert.Equal(new Rgb(0, 0, 0), crop.GetPixel(1, 0)); // source (0,0) happens to be black too
        Assert.Equal(new Rgb(1, 1, 11), crop.GetPixel(2, 1));
        Assert.Equal(default, crop.GetPixel(3, 1));
        Assert.Equal(default, crop.GetPixel(2, 2));
    }

    [Fact]
    public void Should_convert_to_a_channel_first_tensor_of_unit_intensities()
    {
        var image = new RgbImage(2, 1, [0, 51, 255, 102, 153, 204]);

        using var tensor = image.ToTensor();

        Assert.Equal([3L, 1, 2], tensor.shape);
        Assert.Equal(torch.ScalarType.Float32, tensor.dtype);
        Assert.Equal([0f, 0.4f, 0.2f, 0.6f, 1f, 0.8f], tensor.data<float>().ToArray());
    }

    [Fact]
    public void Should_round_trip_through_a_tensor_and_clamp_out_of_range_values()
    {
        var image = Coordinates(5, 4);
        using var tensor = image.ToTensor();
        Assert.Equal(image.ToArray(), RgbImage.FromTensor(tensor).ToArray());

        using var odd = torch.tensor(new float[] { -0.5f, float.NaN, 1.7f, 0.5f, 0.002f, 0.998f }, [1, 3, 1, 2]);
        var clamped = RgbImage.FromTensor(odd);
        Assert.Equal(new Rgb(0, 255, 1), clamped.GetPixel(0, 0)); // -0.5 -> 0, 1.7 -> 255, 0.002*255 = 0.51 -> 1
        Assert.Equal(new Rgb(0, 128, 254), clamped.GetPixel(1, 0)); // NaN -> 0, 127.5 -> 128, 254.49 -> 254
    }

    [Fact]
    public void Should_refuse_tensors_that_are_not_one_rgb_image()
    {
        using var gray = torch.zeros(1, 4, 4);
        using var ints = torch.zeros([3, 2, 2], torch.ScalarType.Int32);

        var e = Assert.Throws<ArgumentException>(() => RgbImage.FromTensor(gray));
        Assert.Contains("[1,4,4]", e.Message);
        Assert.Throws<ArgumentException>(() => RgbImage.FromTensor(ints));
    }
}
