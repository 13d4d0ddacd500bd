using AutoTimm.Models;
using AutoTimm.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoTimm.Tests.Models;

/// <summary>
/// Gradients through our convolutions equal float64's: the input gradient every attribution method reads and the
/// stem's weight gradient, which only a correct input gradient of every later convolution can give. oneDNN's
/// direct NCHW backward kernels get these wrong on some CPUs (see ChannelsLast), so this is checked per model.
/// </summary>
public sealed class ConvolutionGradientTests
{
    public ConvolutionGradientTests() => TorchRuntime.EnsureLoaded();

    [Theory]
    [InlineData("resnet10_tiny", "conv1.weight")]
    [InlineData("resnet18_small", "conv1.weight")]
    [InlineData("vit_pico_patch8_64", "patch_embed.proj.weight")]
    [InlineData("vit_pico_convstem_patch8_64", "patch_embed.backbone.0.conv.weight")]
    public void Should_match_float64_gradients_for_the_input_and_the_first_convolution(string arch, string firstConv)
    {
        manual_seed(21);
        using var single = ModelZoo.Create(arch, 10);
        using var reference = ModelZoo.Create(arch, 10);
        reference.load_state_dict(single.state_dict());
        reference.to(ScalarType.Float64);
        single.eval();
        reference.eval();
        using var x = randn(3, 3, 64, 64, generator: new Generator(5));

        var (input32, weight32) = Gradients(single, x, firstConv);
        var (input64, weight64) = Gradients(reference, x.to(ScalarType.Float64), firstConv);

        AssertClose(input64, input32, $"{arch} input gradient");
        AssertClose(weight64, weight32, $"{arch} {firstConv} gradient");
    }

    private static (Tensor Input, Tensor Weight) Gradients(ImageClassifier model, Tensor x, string weightName)
    {
        var input = x.detach().requires_grad_(true);
        var weight = model.named_parameters().Single(p => p.name == weightName).parameter;
        using var logits = model.call(input);
        // A weighted sum of every logit, so every class's path contributes.
        using var weights = linspace(-1, 1, logits.shape[1], dtype: logits.dtype);
        using var score = (logits * weights).sum();
        var grads = autograd.grad([score], [input, weight]);
        return (grads[0].to(ScalarType.Float64), grads[1].to(ScalarType.Float64));
    }

    private static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        // Relative L2 error: float32 round-off in an untrained deep network stays far below 1e-3; a wrong kernel
        // gives errors of the gradient's own size.
        double norm = expected.norm().item<double>();
        double error = (expected - actual).norm().item<double>() / norm;
        Assert.True(norm > 0, $"{what} is zero");
        Assert.True(error <= 1e-3, $"{what}: relative error {error:E3} against float64");
    }
}
