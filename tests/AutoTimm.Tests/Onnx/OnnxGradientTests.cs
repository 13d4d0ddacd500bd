using Onnx;
using AutoTimm.Models.Onnx;
using static AutoTimm.Tests.Onnx.OnnxReference;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace AutoTimm.Tests.Onnx;

/// <summary>
/// The gradients explanations take through the ops whose backward is least obvious (gathered taps, cropped
/// transposed convolutions, padded windows) against central finite differences, in float64.
/// </summary>
public sealed class OnnxGradientTests
{
    public static TheoryData<string> Variants => new()
    {
        "resize linear", "resize cubic exclude outside", "resize nearest", "resize crop and resize", "resize antialias cubic", "conv transpose output padding",
        "max pool asymmetric", "average pool asymmetric", "pad reflect", "slice negative step",
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public void Gradients_match_central_differences_in_float64(string variant)
    {
        using var generator = new TorchSharp.torch.Generator(17);
        using var x = randn([1, 2, 5, 6], ScalarType.Float64, generator: generator);
        using var weight = randn([2, 3, 3, 3], ScalarType.Float64, generator: generator);
        using var roi = empty(0, ScalarType.Float32);
        using var scales = tensor(new float[] { 1, 1, 1.7f, 0.6f });
        (NodeProto op, Tensor?[] rest) = variant switch
        {
            "resize linear" => (Node("Resize", ["x", "roi", "scales"], ("mode", "linear")), new Tensor?[] { roi, scales }),
            "resize cubic exclude outside" => (Node("Resize", ["x", "roi", "scales"], ("mode", "cubic"), ("exclude_outside", 1L)), [roi, scales]),
            "resize antialias cubic" => (Node("Resize", ["x", "roi", "scales"], ("mode", "cubic"), ("antialias", 1L)), [roi, tensor(new float[] { 1, 1, 0.5f, 0.4f })]),
            "resize nearest" => (Node("Resize", ["x", "roi", "scales"], ("mode", "nearest")), [roi, scales]),
            "resize crop and resize" => (Node("Resize", ["x", "roi", "scales"], ("mode", "linear"), ("coordinate_transformation_mode", "tf_crop_and_resize")),
                [tensor(new float[] { 0, 0, -0.2f, 0.1f, 1, 1, 0.9f, 1.3f }), tensor(new float[] { 1, 1, 1.5f, 1.3f })]),
            "conv transpose output padding" => (Node("ConvTranspose", ["x", "w"], ("strides", new long[] { 2, 3 }), ("pads", new long[] { 1, 0, 1, 1 }), ("output_padding", new long[] { 1, 2 })), [weight]),
            "max pool asymmetric" => (Node("MaxPool", ["x"], ("kernel_shape", new long[] { 3, 2 }), ("strides", new long[] { 2, 2 }), ("pads", new long[] { 0, 1, 1, 0 })), []),
            "average pool asymmetric" => (Node("AveragePool", ["x"], ("kernel_shape", new long[] { 3, 2 }), ("strides", new long[] { 2, 2 }), ("pads", new long[] { 0, 1, 1, 0 })), []),
            "pad reflect" => (Node("Pad", ["x", "pads"], ("mode", "reflect")), [tensor(new long[] { 0, 0, 2, 1, 0, 0, 1, 2 })]),
            _ => (Node("Slice", ["x", "starts", "ends", "axes", "steps"]), [tensor(new long[] { -1 }), tensor(new long[] { 0 }), tensor(new long[] { 3 }), tensor(new long[] { -2 })]),
        };
        Tensor Run(Tensor input) => OnnxOps.Run(new OnnxNode(op, [input, .. rest], 18))[0];

        // A fixed random weighting of the outputs makes one scalar whose gradient involves every output.
        using var probe = Run(x);
        using var mix = randn(probe.shape, ScalarType.Float64, generator: generator);
        using var input = x.clone().requires_grad_(true);
        Run(input).mul(mix).sum().backward();
        var analytic = input.grad!.data<double>().ToArray();
        var values = x.data<double>().ToArray();
        double h = 1e-6, scale = analytic.Max(Math.Abs);
        for (int i = 0; i < values.Length; i++)
        {
            double Score(double delta)
            {
                var shifted = (double[])values.Clone();
                shifted[i] += delta;
                using var moved = tensor(shifted, x.shape);
                using var output = Run(moved);
                return output.mul(mix).sum().item<double>();
            }
            double numeric = (Score(h) - Score(-h)) / (2 * h);
            // Central differences of a piecewise-polynomial function in float64: error ~ h^2 plus rounding ~ 1e-16 / h.
            Assert.True(Math.Abs(numeric - analytic[i]) <= 1e-6 * scale + 1e-8, $"{variant}, element {i}: autograd {analytic[i]}, finite difference {numeric}");
        }
    }
}
