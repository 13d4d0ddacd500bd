using AutoTimm.Models.Onnx;
using static AutoTimm.Tests.Onnx.OnnxReference;
using static TorchSharp.torch;

namespace AutoTimm.Tests.Onnx;

/// <summary>
/// Resize and Upsample against ONNX Runtime: every mode by coordinate transformation by nearest mode, on scales that
/// grow one axis and shrink the other by fractions (1.7, 0.6) and by exact factors (2, 0.5), where asymmetric and
/// half-pixel coordinates land exactly on the ties the nearest modes break differently.
/// </summary>
public sealed class OnnxResizeTests
{
    private static readonly string[] Coordinates = ["half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric", "tf_half_pixel_for_nn"];
    private static readonly string[] NearestModes = ["round_prefer_floor", "round_prefer_ceil", "floor", "ceil"];
    private static readonly float[][] ScaleSets = [[1, 1, 1.7f, 0.6f], [1, 1, 2, 0.5f]];

    private static Input X(params long[] shape)
    {
        using var generator = new TorchSharp.torch.Generator(11);
        return new Input("x", randn(shape, generator: generator));
    }

    private static Input Floats(string name, params float[] values) => new(name, tensor(values), Constant: true);

    private static Input Longs(string name, params long[] values) => new(name, tensor(values), Constant: true);

    private static Input Empty(string name) => new(name, empty(0), Constant: true);

    public static TheoryData<string, string, int> Nearest()
    {
        var data = new TheoryData<string, string, int>();
        foreach (var coordinates in Coordinates)
            foreach (var nearest in NearestModes)
                for (int set = 0; set < ScaleSets.Length; set++) data.Add(coordinates, nearest, set);
        return data;
    }

    [Theory]
    [MemberData(nameof(Nearest))]
    public void Nearest_matches_onnx_runtime(string coordinates, string nearest, int scaleSet)
    {
        var node = Node("Resize", ["x", "roi", "scales"], ("mode", "nearest"), ("coordinate_transformation_mode", coordinates), ("nearest_mode", nearest));
        AssertMatches(node, [X(1, 2, 6, 7), Empty("roi"), Floats("scales", ScaleSets[scaleSet])], 13);
    }

    public static TheoryData<string, string, int> Interpolating()
    {
        var data = new TheoryData<string, string, int>();
        foreach (var mode in new[] { "linear", "cubic" })
            foreach (var coordinates in Coordinates.Append("half_pixel_symmetric"))
                for (int set = 0; set < ScaleSets.Length; set++) data.Add(mode, coordinates, set);
        return data;
    }

    [Theory]
    [MemberData(nameof(Interpolating))]
    public void Linear_and_cubic_match_onnx_runtime(string mode, string coordinates, int scaleSet)
    {
        var node = Node("Resize", ["x", "roi", "scales"], ("mode", mode), ("coordinate_transformation_mode", coordinates));
        AssertMatches(node, [X(1, 2, 6, 7), Empty("roi"), Floats("scales", ScaleSets[scaleSet])], coordinates == "half_pixel_symmetric" ? 19 : 13);
    }

    [Theory]
    [InlineData("cubic a -0.5", 11)]
    [InlineData("cubic exclude outside", 13)]
    [InlineData("sizes", 11)]
    [InlineData("sizes linear", 13)]
    [InlineData("nhwc linear", 13)]
    [InlineData("crop and resize nearest", 11)]
    [InlineData("crop and resize linear", 13)]
    [InlineData("crop and resize cubic", 13)]
    [InlineData("axes scales", 18)]
    [InlineData("axes sizes not larger", 18)]
    [InlineData("axes sizes not smaller", 18)]
    [InlineData("same size", 13)]
    [InlineData("antialias linear shrink", 18)]
    [InlineData("antialias cubic shrink", 18)]
    [InlineData("antialias linear grow", 18)]
    [InlineData("antialias linear exclude outside", 18)]
    [InlineData("antialias cubic exclude outside", 19)]
    [InlineData("antialias cubic align corners", 18)]
    public void Variants_match_onnx_runtime(string variant, long opset)
    {
        var x = X(1, 2, 6, 7);
        var roi = Empty("roi");
        var scales = Floats("scales", 1, 1, 1.7f, 0.6f);
        (string, object)[] attributes = variant switch
        {
            "cubic a -0.5" => [("mode", "cubic"), ("cubic_coeff_a", -0.5f)],
            "cubic exclude outside" => [("mode", "cubic"), ("exclude_outside", 1L)],
            "sizes" => [("mode", "nearest")],
            "sizes linear" => [("mode", "linear"), ("coordinate_transformation_mode", "align_corners")],
            "nhwc linear" => [("mode", "linear")],
            "crop and resize nearest" => [("mode", "nearest"), ("coordinate_transformation_mode", "tf_crop_and_resize"), ("extrapolation_value", 3.5f)],
            "crop and resize linear" => [("mode", "linear"), ("coordinate_transformation_mode", "tf_crop_and_resize"), ("extrapolation_value", -2f)],
            "crop and resize cubic" => [("mode", "cubic"), ("coordinate_transformation_mode", "tf_crop_and_resize")],
            "axes scales" => [("mode", "linear"), ("axes", new long[] { 2, 3 })],
            "axes sizes not larger" => [("mode", "nearest"), ("axes", new long[] { 2, 3 }), ("keep_aspect_ratio_policy", "not_larger")],
            "axes sizes not smaller" => [("mode", "linear"), ("axes", new long[] { 2, 3 }), ("keep_aspect_ratio_policy", "not_smaller")],
            "antialias linear shrink" or "antialias linear grow" => [("mode", "linear"), ("antialias", 1L)],
            "antialias cubic shrink" => [("mode", "cubic"), ("antialias", 1L)],
            "antialias linear exclude outside" => [("mode", "linear"), ("antialias", 1L), ("exclude_outside", 1L)],
            "antialias cubic exclude outside" => [("mode", "cubic"), ("antialias", 1L), ("exclude_outside", 1L), ("cubic_coeff_a", -0.5f)],
            "antialias cubic align corners" => [("mode", "cubic"), ("antialias", 1L), ("coordinate_transformation_mode", "align_corners")],
            _ => [("mode", "linear")],
        };
        Input[] inputs = variant switch
        {
            "sizes" or "sizes linear" => [x, roi, Empty("scales"), Longs("sizes", 1, 2, 9, 4)],
            "nhwc linear" => [X(1, 5, 6, 3), roi, Floats("scales", 1, 2, 0.5f, 1)],
            "crop and resize nearest" or "crop and resize linear" or "crop and resize cubic" =>
                [x, Floats("roi", 0, 0, -0.2f, 0.3f, 1, 1, 0.9f, 1.4f), Floats("scales", 1, 1, 1.5f, 1.3f)],
            "axes scales" => [x, roi, Floats("scales", 1.5f, 0.7f)],
            "axes sizes not larger" or "axes sizes not smaller" => [x, roi, Empty("scales"), Longs("sizes", 9, 20)],
            "same size" => [x, roi, Floats("scales", 1, 1, 1, 1)],
            "antialias linear shrink" or "antialias cubic shrink" or "antialias linear exclude outside" or "antialias cubic exclude outside" or "antialias cubic align corners" =>
                [X(1, 2, 13, 17), roi, Floats("scales", 1, 1, 0.45f, 0.3f)],
            "antialias linear grow" => [x, roi, Floats("scales", 1, 1, 1.7f, 2.5f)],
            _ => [x, roi, scales],
        };
        if (opset == 11 && inputs.Length == 2) inputs = [.. inputs, scales];
        AssertMatches(Node("Resize", inputs.Select(i => i.Name).ToArray(), attributes), inputs, opset);
    }

    [Theory]
    [InlineData("nearest")]
    [InlineData("linear")]
    public void Opset_10_resize_and_upsample_use_asymmetric_coordinates(string mode)
    {
        var x = X(1, 2, 5, 6);
        AssertMatches(Node("Resize", ["x", "scales"], ("mode", mode)), [x, Floats("scales", 1, 1, 2.5f, 0.5f)], 10);
        AssertMatches(Node("Upsample", ["x", "scales"], ("mode", mode)), [x, Floats("scales", 1, 1, 2, 3)], 9);
        AssertMatches(Node("Upsample", ["x"], ("mode", mode), ("scales", new float[] { 1, 1, 1.5f, 2 })), [x], 7);
    }

    [Fact]
    public void Negative_axes_count_from_the_back()
    {
        // ONNX Runtime 1.31 ignores negative axes (the output keeps the input's shape); the standard counts them from the back.
        var x = X(1, 2, 6, 7);
        Input[] inputs = [x, Empty("roi"), Empty("scales"), Longs("sizes", 9, 20)];
        var (negative, negativeShape) = RunExecutor(Node("Resize", ["x", "roi", "scales", "sizes"], ("axes", new long[] { -2, -1 }), ("keep_aspect_ratio_policy", "not_larger")), inputs, 18);
        var (positive, positiveShape) = RunExecutor(Node("Resize", ["x", "roi", "scales", "sizes"], ("axes", new long[] { 2, 3 }), ("keep_aspect_ratio_policy", "not_larger")), inputs, 18);
        // not_larger takes the smaller scale, 9/6 = 1.5 (20/7 is larger): 6x7 becomes 9 by round(10.5) = 11.
        Assert.Equal(new long[] { 1, 2, 9, 11 }, negativeShape);
        Assert.Equal(positiveShape, negativeShape);
        Assert.Equal(positive, negative);
    }

    [Fact]
    public void Nearest_resizing_passes_gradients_to_the_pixels_it_copies()
    {
        using var x = arange(6f).reshape(1, 1, 2, 3).requires_grad_();
        var node = Node("Resize", ["x", "roi", "scales"], ("mode", "nearest"), ("nearest_mode", "floor"), ("coordinate_transformation_mode", "asymmetric"));
        using var roi = empty(0);
        using var scales = tensor(new float[] { 1, 1, 2, 2 });
        using var y = OnnxOps.Run(new OnnxNode(node, [x, roi, scales], 13))[0];
        y.sum().backward();
        // Each input pixel is copied to a 2x2 block.
        Assert.Equal(new float[] { 4, 4, 4, 4, 4, 4 }, x.grad!.data<float>().ToArray());
    }

    [Fact]
    public void Unsupported_variants_name_the_attribute()
    {
        var x = X(1, 1, 4, 4).Value;
        using var roi = empty(0);
        using var scales = tensor(new float[] { 1, 1, 2, 2 });
        var antialias = Assert.Throws<InvalidDataException>(() => OnnxOps.Run(new OnnxNode(Node("Resize", ["x", "roi", "scales"], ("mode", "nearest"), ("antialias", 1L)), [x, roi, scales], 18)));
        Assert.Contains("Resize node 'resize_node' (output 'y', opset 18): antialias 1 needs mode 'linear' or 'cubic'", antialias.Message);
        var mode = Assert.Throws<NotSupportedException>(() => OnnxOps.Run(new OnnxNode(Node("Resize", ["x", "roi", "scales"], ("mode", "area")), [x, roi, scales], 13)));
        Assert.Contains("mode 'area' is not supported", mode.Message);
        var both = Assert.Throws<InvalidDataException>(() => OnnxOps.Run(new OnnxNode(Node("Resize", ["x", "roi", "scales", "sizes"]), [x, roi, scales, tensor(new long[] { 1, 1, 8, 8 })], 13)));
        Assert.Contains("exactly one of scales and sizes must be given", both.Message);
    }
}
