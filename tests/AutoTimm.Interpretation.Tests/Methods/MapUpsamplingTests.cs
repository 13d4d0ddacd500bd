using AutoTimm.Interpretation.Methods;
using AutoTimm.Native;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace AutoTimm.Interpretation.Tests.Methods;

public sealed class MapUpsamplingTests
{
    [Theory]
    [InlineData(7, 7, 224, 224)]    // a ResNet's last stage to its input
    [InlineData(14, 14, 224, 224)]  // a ViT-B/16 grid
    [InlineData(7, 5, 31, 17)]      // non-square, scales that are not powers of two
    [InlineData(9, 6, 4, 3)]        // shrinking
    [InlineData(3, 3, 3, 3)]        // unchanged
    public void Should_equal_torch_bilinear_interpolation(int h, int w, int height, int width)
    {
        // Given three random maps
        using var scope = NewDisposeScope();
        var maps = randn(3, h, w, generator: new Generator(5)) * 10;

        // When upsampled as two products and by libtorch's kernel
        var ours = MapUpsampling.Bilinear(maps, height, width).CopyToArray<float>();
        var torch = F.interpolate(maps.unsqueeze(1), size: [height, width], mode: InterpolationMode.Bilinear, align_corners: false).squeeze(1).CopyToArray<float>();

        // Then they agree to float rounding. An output is a convex combination of four inputs: summed in another order,
        // within 4 roundings (2^-24 each) of the largest input. A tap's weight is the fraction of its source position,
        // which libtorch computes in float and the taps here in double: they differ by up to one rounding of a position
        // below max(h, w), which moves a weight by 2^-24 max(h, w) and the output by that much of two inputs' difference.
        float largest = maps.abs().max().item<float>();
        float bound = MathF.Pow(2, -24) * largest * (8 + 4 * Math.Max(h, w));
        Assert.Equal(torch.Length, ours.Length);
        for (int i = 0; i < torch.Length; i++) Assert.True(MathF.Abs(ours[i] - torch[i]) <= bound, $"value {i}: {ours[i]} against {torch[i]} (bound {bound})");
    }

    [Fact]
    public void Should_interpolate_half_pixel_centres_by_hand()
    {
        // 2 -> 4 across: sources clamp(-0.25) = 0, 0.25, 0.75, clamp(1.25) = 1; one row stays one row
        using var scope = NewDisposeScope();
        var map = tensor(new[] { 10f, 20f }, [1, 1, 2]);
        Assert.Equal([10f, 12.5f, 17.5f, 20f], MapUpsampling.Bilinear(map, 1, 4).CopyToArray<float>());
    }

    [Fact]
    public void Should_refuse_maps_that_are_not_three_dimensional()
    {
        using var scope = NewDisposeScope();
        var error = Assert.Throws<ArgumentException>(() => MapUpsampling.Bilinear(zeros(1, 1, 7, 7), 224, 224));
        Assert.Contains("[N,h,w]", error.Message);
    }
}
