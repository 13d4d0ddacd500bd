using AutoTimm.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoTimm.Tests.Data;

public sealed class AugmentTests
{
    private static readonly FashionMnistSplit Train = FakeFashionMnist.Split(40, test: false);

    private static Tensor MaskTensor(CanvasSample c) => tensor(c.Mask, [c.Height, c.Width]);

    private static bool[] ToBools(Tensor mask) => mask.data<bool>().ToArray();

    [Fact]
    public void Should_flip_image_mask_and_box_consistently()
    {
        using var scope = NewDisposeScope();
        var c = new ClutteredCanvasGenerator(Train, seed: 1).Generate(4);
        var flip = new[] { new AugmentParameters(true, new BoundingBox(0, 0, c.Width, c.Height), 1, 1, 1) };

        var image = Augment.Apply(c.ToTensor(), flip);
        var mask = ToBools(Augment.ApplyToMasks(MaskTensor(c), flip));
        var box = Augment.ApplyToBox(c.Box, flip[0], c.Height, c.Width);

        Assert.Equal(c.ToTensor().flip(2).data<float>().ToArray(), image.data<float>().ToArray());
        Assert.Equal(Augment.HorizontalFlip<bool>(c.Mask, c.Height, c.Width), mask);
        Assert.Equal(BoundingBox.FromMask(mask, c.Height, c.Width), box);
        Assert.Equal(new BoundingBox(c.Width - c.Box.X1, c.Box.Y0, c.Width - c.Box.X0, c.Box.Y1), box);
        // The item's color follows its mask: a flipped mask pixel holds the color of its mirror image.
        var plane = c.Height * c.Width;
        var flipped = image.data<float>().ToArray();
        for (var y = 0; y < c.Height; y++)
        {
            for (var x = 0; x < c.Width; x++)
                Assert.Equal(c.Image[plane + y * c.Width + (c.Width - 1 - x)], flipped[plane + y * c.Width + x]);
        }
    }

    [Theory]
    [InlineData(CropMode.PadCrop)]
    [InlineData(CropMode.RandomResizedCrop)]
    public void Should_move_masks_and_boxes_with_the_crop(CropMode crop)
    {
        using var scope = NewDisposeScope();
        var generator = new ClutteredCanvasGenerator(Train, seed: 2);
        var augment = new Augment(new AugmentOptions { Crop = crop, Padding = 6, MinCropArea = 0.5f }, seed: 7);
        var samples = Enumerable.Range(0, 8).Select(i => generator.Generate(i)).ToArray();
        var (h, w) = (samples[0].Height, samples[0].Width);
        var parameters = augment.SampleParameters(key: 3, samples.Length, h, w);
        var masks = stack(samples.Select(MaskTensor));

        var moved = Augment.ApplyToMasks(masks, parameters);

        Assert.Equal(ScalarType.Bool, moved.dtype);
        Assert.Contains(parameters, p => !p.IsFullRegion(h, w));
        for (var i = 0; i < samples.Length; i++)
        {
            var mask = ToBools(moved[i]);
            var expected = Augment.ApplyToBox(samples[i].Box, parameters[i], h, w);
            var actual = BoundingBox.FromMask(mask, h, w);
            if (expected is null)
            {
                Assert.True(actual.IsEmpty);
                continue;
            }
            // Nearest resampling moves mask edges by at most one output pixel (plus the scale of one input pixel).
            var tolerance = 1f + MathF.Max(w / parameters[i].Region.Width, h / parameters[i].Region.Height);
            Assert.InRange(actual.X0 - expected.Value.X0, -tolerance, tolerance);
            Assert.InRange(actual.X1 - expected.Value.X1, -tolerance, tolerance);
            Assert.InRange(actual.Y0 - expected.Value.Y0, -tolerance, tolerance);
            Assert.InRange(actual.Y1 - expected.Value.Y1, -tolerance, tolerance);
        }
    }

    [Fact]
    public void Should_shift_pad_crops_by_whole_pixels_exactly()
    {
        using var scope = NewDisposeScope();
        var c = new ClutteredCanvasGenerator(Train, seed: 3).Generate(1);
        var shift = new[] { new AugmentParameters(false, new BoundingBox(3, -2, c.Width + 3, c.Height - 2), 1, 1, 1) };

        var image = Augment.Apply(c.ToTensor(), shift).data<float>().ToArray();

        var plane = c.Height * c.Width;
        Assert.Equal(0f, image[0]); // row 0 reads source row -2: padding
        Assert.Equal(c.Image[plane + 10 * c.Width + 13], image[plane + 12 * c.Width + 10], 5);
        Assert.Equal(new BoundingBox(c.Box.X0 - 3, c.Box.Y0 + 2, c.Box.X1 - 3, c.Box.Y1 + 2).Clip(c.Width, c.Height),
            Augment.ApplyToBox(c.Box, shift[0], c.Height, c.Width));
    }

    [Fact]
    public void Should_draw_the_same_choices_for_the_same_seed_and_key()
    {
        var options = new AugmentOptions { Crop = CropMode.RandomResizedCrop, Brightness = 0.3f, Contrast = 0.3f, Saturation = 0.3f };
        var a = new Augment(options, seed: 5).SampleParameters(9, 16, 64, 64);
        var b = new Augment(options, seed: 5).SampleParameters(9, 16, 64, 64);
        var otherKey = new Augment(options, seed: 5).SampleParameters(10, 16, 64, 64);

        Assert.Equal(a, b);
        Assert.NotEqual(a, otherKey);
        Assert.InRange(a.Count(p => p.Flip), 3, 13);
        Assert.All(a, p => Assert.InRange(p.Brightness, 0.7f, 1.3f));
        // The first images of a larger call get the same choices: they depend on (seed, key, position) only.
        Assert.Equal(a[..4], new Augment(options, seed: 5).SampleParameters(9, 4, 64, 64));
    }

    [Fact]
    public void Should_augment_a_batch_as_each_image_alone()
    {
        using var scope = NewDisposeScope();
        var generator = new ClutteredCanvasGenerator(Train, seed: 4);
        var images = stack(Enumerable.Range(0, 4).Select(i => generator.Generate(i).ToTensor()));
        var augment = new Augment(new AugmentOptions
        {
            Crop = CropMode.RandomResizedCrop, Brightness = 0.4f, Contrast = 0.4f, Saturation = 0.4f,
        }, seed: 1);
        var parameters = augment.SampleParameters(0, 4, 64, 64);

        var batch = augment.Apply(images, key: 0);

        for (var i = 0; i < 4; i++)
        {
            var single = Augment.Apply(images[i], [parameters[i]]);
            Assert.True(allclose(batch[i], single, rtol: 0, atol: 1e-6), $"image {i}");
        }
        Assert.InRange(batch.min().item<float>(), 0f, 1f);
        Assert.InRange(batch.max().item<float>(), 0f, 1f);
    }

    [Fact]
    public void Should_jitter_colors_as_defined()
    {
        using var scope = NewDisposeScope();
        // One pixel per channel value: (0.2, 0.4, 0.6) everywhere.
        var image = stack([full(4, 4, 0.2f), full(4, 4, 0.4f), full(4, 4, 0.6f)]);
        var box = new BoundingBox(0, 0, 4, 4);

        var brighter = Augment.Apply(image, [new AugmentParameters(false, box, 1.5f, 1, 1)]);
        var gray = Augment.Apply(image, [new AugmentParameters(false, box, 1, 1, 0)]);
        var original = Augment.Apply(image, [AugmentParameters.Identity(4, 4)]);

        Assert.Equal(new[] { 0.3f, 0.6f, 0.9f }, brighter[.., 0, 0].data<float>().ToArray().Select(v => MathF.Round(v, 5)));
        var luma = 0.299f * 0.2f + 0.587f * 0.4f + 0.114f * 0.6f;
        Assert.All(gray[.., 0, 0].data<float>().ToArray(), v => Assert.Equal(luma, v, 5));
        Assert.True(eq(image, original).all().item<bool>());
        Assert.NotEqual(image.Handle, original.Handle);
    }

    [Fact]
    public void Should_reject_images_that_are_not_rgb_float()
    {
        using var scope = NewDisposeScope();
        var augment = new Augment();
        Assert.Throws<ArgumentException>(() => augment.Apply(zeros(1, 8, 8), key: 0));
        Assert.Throws<ArgumentException>(() => augment.Apply(zeros([3, 8, 8], ScalarType.Byte), key: 0));
        Assert.Throws<ArgumentException>(() => Augment.Apply(zeros(2, 3, 8, 8), [AugmentParameters.Identity(8, 8)]));
    }
}
