using AutoTimm.Models.Checkpoints;
using AutoTimm.Tests.Fixtures;
using TorchSharp;

namespace AutoTimm.Tests.Checkpoints;

/// <summary>The C# weight formula must reproduce the fixture script's values bit for bit.</summary>
public sealed class FixtureWeightsTests
{
    [Theory]
    [InlineData("conv1.weight")]
    [InlineData("layer1.0.bn1.running_var")]
    [InlineData("fc.bias")]
    public void Should_reproduce_python_resnet18_parameters_exactly(string name)
    {
        using var expectedTensor = AutoTimm.Imaging.Npy.Load(FixturePaths.PyTorch($"resnet18_{name}.npy"));
        var shape = expectedTensor.shape;
        var expected = expectedTensor.data<float>().ToArray();

        var actual = FixtureWeights.Values(name, shape);

        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < actual.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]), $"{name}[{i}]: {actual[i]:R} vs {expected[i]:R}");
    }

    [Fact]
    public void Should_reproduce_every_vit_and_tiny_cnn_tensor_exactly()
    {
        foreach (var file in new[] { "vit_small.safetensors", "tiny_cnn.safetensors" })
        {
            using var checkpoint = CheckpointReader.Read(FixturePaths.PyTorch(file));
            foreach (var (name, tensor) in checkpoint.StateDict)
            {
                using var expected = torch.tensor(FixtureWeights.Values(name, tensor.shape), tensor.shape).to_type(tensor.dtype);
                Assert.True(TensorAssert.Identical(tensor, expected), $"{file}: {name}");
            }
        }
    }

    [Theory]
    [InlineData("resnet18_input.npy")]
    [InlineData("vit_small_input.npy")]
    [InlineData("tiny_cnn_input.npy")]
    public void Should_reproduce_python_inputs_exactly(string file)
    {
        using var expected = AutoTimm.Imaging.Npy.Load(FixturePaths.PyTorch(file));

        using var actual = FixtureWeights.Input(expected.shape);

        Assert.True(TensorAssert.Identical(actual, expected));
    }

    [Fact]
    public void Should_fill_torchvision_resnet18_so_it_reproduces_pytorch_logits()
    {
        using var model = torchvision.models.resnet18(num_classes: 1000);
        FixtureWeights.Fill(model);
        model.eval();
        using var input = AutoTimm.Imaging.Npy.Load(FixturePaths.PyTorch("resnet18_input.npy"));
        using var expected = AutoTimm.Imaging.Npy.Load(FixturePaths.PyTorch("resnet18_logits.npy"));

        using var noGrad = torch.no_grad();
        using var logits = model.call(input);

        var maxError = (logits - expected).abs().max().item<float>();
        var scale = expected.abs().max().item<float>();
        Assert.True(maxError < 1e-4f * Math.Max(1f, scale), $"max |logits - pytorch| = {maxError} (logit scale {scale})");
    }
}
