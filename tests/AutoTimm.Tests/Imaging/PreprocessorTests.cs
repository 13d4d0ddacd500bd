using AutoTimm.Imaging;
using TorchSharp;

namespace AutoTimm.Tests.Imaging;

public sealed class PreprocessorTests
{
    // These tests call TorchSharp directly, possibly before any AutoTimm type loads the natives.
    private static float MaxAbsDiff(torch.Tensor a, torch.Tensor b)
    {
        Assert.Equal(a.shape, b.shape);
        using var diff = (a - b).abs().max();
        return diff.item<float>();
    }

    [Theory]
    [InlineData(16, 16, 0.875f, ResizeInterpolation.Bilinear, "bilinear_16x16_crop0.875.npy")]
    [InlineData(16, 16, 0.875f, ResizeInterpolation.Bicubic, "bicubic_16x16_crop0.875.npy")]
    [InlineData(14, 20, 1.0f, ResizeInterpolation.Bilinear, "bilinear_14x20_crop1.0.npy")]
    [InlineData(12, 18, 0.9f, ResizeInterpolation.Bicubic, "bicubic_12x18_crop0.9.npy")]
    [InlineData(16, 16, 0.95f, ResizeInterpolation.Nearest, "nearest_16x16_crop0.95.npy")]
    public void Should_match_torchvision_resize_center_crop_to_tensor_normalize(int height, int width, float cropPct, ResizeInterpolation interpolation, string golden)
    {
        // Given the 41x31 input and torchvision's Resize(antialias=True) + CenterCrop + ToTensor + Normalize of it
        var image = ImagingFixtures.Load("preprocess", "input.png");
        using var expected = Npy.Load(ImagingFixtures.PathOf("preprocess", golden));
        var config = new PreprocessConfig { Height = height, Width = width, CropPct = cropPct, Interpolation = interpolation };

        // When preprocessed here
        using var actual = new Preprocessor(config).Apply(image);

        // Then values agree to float rounding (measured: 0, bit-identical)
        Assert.Equal([3L, height, width], actual.shape);
        Assert.True(MaxAbsDiff(expected, actual) <= 1e-6f, $"max abs diff {MaxAbsDiff(expected, actual)}");
    }

    [Fact]
    public void Should_resize_the_shorter_side_to_size_over_crop_pct_then_crop_the_center()
    {
        // 41x31 with 16 / 0.875 = 18.29 -> 18: shorter side 31 -> 18, longer floor(18 * 41 / 31) = 23; then crop 16x16
        var image = ImagingFixtures.Load("preprocess", "input.png");
        var preprocessor = new Preprocessor(new PreprocessConfig { Height = 16, Width = 16, CropPct = 0.875f });

        var actual = preprocessor.ResizeAndCrop(image);

        var expected = image.Resize(23, 18, ResizeInterpolation.Bilinear).CenterCrop(16, 16);
        Assert.Equal(expected.ToArray(), actual.ToArray());
    }

    [Fact]
    public void Should_squash_the_whole_image_to_the_input_size_when_crop_pct_is_one()
    {
        var image = RgbImage.Filled(40, 10, new Rgb(1, 2, 3));
        var preprocessor = new Preprocessor(new PreprocessConfig { Height = 8, Width = 6, CropPct = 1f });

        var resized = preprocessor.ResizeAndCrop(image);

        Assert.Equal((6, 8), (resized.Width, resized.Height));
    }

    [Fact]
    public void Should_normalize_each_channel_with_mean_and_std()
    {
        // Given a constant image (255, 0, 51) at the model's size, ImageNet statistics
        var image = RgbImage.Filled(2, 2, new Rgb(255, 0, 51));
        var preprocessor = new Preprocessor(new PreprocessConfig { Height = 2, Width = 2 });

        using var x = preprocessor.Apply(image);

        // Then R = (1 - 0.485) / 0.229, G = (0 - 0.456) / 0.224, B = (0.2 - 0.406) / 0.225
        var values = x.data<float>().ToArray();
        Assert.All(values[..4], v => Assert.Equal(2.2489083f, v, 5));
        Assert.All(values[4..8], v => Assert.Equal(-2.0357143f, v, 5));
        Assert.All(values[8..], v => Assert.Equal(-0.9155556f, v, 5));
    }

    [Fact]
    public void Should_stack_a_batch_as_the_single_images_would_be()
    {
        var a = ImagingFixtures.Load("resize", "input.png");
        var b = ImagingFixtures.Load("preprocess", "input.png");
        var preprocessor = new Preprocessor(PreprocessConfig.ImageNet with { Height = 12, Width = 12 });

        using var batch = preprocessor.ApplyBatch([a, b]);
        using var first = preprocessor.Apply(a);
        using var second = preprocessor.Apply(b);

        Assert.Equal([2L, 3, 12, 12], batch.shape);
        using var scope = torch.NewDisposeScope();
        Assert.True(batch[0].eq(first).all().item<bool>());
        Assert.True(batch[1].eq(second).all().item<bool>());
        Assert.Throws<ArgumentException>(() => preprocessor.ApplyBatch([]));
    }

    [Fact]
    public void Should_restore_the_exact_pixels_when_denormalizing_model_input()
    {
        // Given an image already at the input size (no resampling), preprocessed
        var image = ImagingFixtures.Load("preprocess", "input.png");
        var preprocessor = new Preprocessor(new PreprocessConfig { Height = image.Height, Width = image.Width });
        using var x = preprocessor.Apply(image);
        using var batched = x.unsqueeze(0);

        // When turned back into an image
        var restored = preprocessor.ToImage(x);
        var restoredFromBatch = preprocessor.ToImage(batched);

        // Then every byte comes back
        Assert.Equal(image.ToArray(), restored.ToArray());
        Assert.Equal(image.ToArray(), restoredFromBatch.ToArray());
    }

    [Fact]
    public void Should_invert_normalize_with_denormalize()
    {
        var preprocessor = new Preprocessor(PreprocessConfig.ImageNet);
        using var pixels = torch.rand(2, 3, 4, 5, generator: new torch.Generator(7));

        using var normalized = preprocessor.Normalize(pixels);
        using var back = preprocessor.Denormalize(normalized);

        Assert.True(back.allclose(pixels, rtol: 0, atol: 1e-6));
        using var red = normalized[0, 0, 0, 0];
        using var redIn = pixels[0, 0, 0, 0];
        Assert.Equal((redIn.item<float>() - 0.485f) / 0.229f, red.item<float>(), 5);
    }

    [Theory]
    [InlineData(0, 224, 0.875f, "Input size")]
    [InlineData(224, 224, 0f, "CropPct")]
    [InlineData(224, 224, 1.5f, "CropPct")]
    public void Should_refuse_unusable_sizes_and_crop_fractions(int height, int width, float cropPct, string named)
    {
        var e = Assert.Throws<ArgumentException>(() => new Preprocessor(new PreprocessConfig { Height = height, Width = width, CropPct = cropPct }));
        Assert.Contains(named, e.Message);
    }

    [Fact]
    public void Should_refuse_statistics_that_are_not_three_usable_values()
    {
        Assert.Contains("Mean", Assert.Throws<ArgumentException>(() => new Preprocessor(new PreprocessConfig { Mean = [0.5f, 0.5f] })).Message);
        Assert.Contains("Std", Assert.Throws<ArgumentException>(() => new Preprocessor(new PreprocessConfig { Std = [0.2f, 0f, 0.2f] })).Message);
    }
}
