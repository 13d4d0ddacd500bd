using AutoTimm.Models;
using AutoTimm.Models.Architectures;
using static TorchSharp.torch;

namespace AutoTimm.Tests.Models;

/// <summary>
/// Models whose convolutions run channels-last keep their convolution weights channels-last in eval mode and
/// contiguous in training mode: the same parameters, the same values, the same outputs to the bit.
/// </summary>
public sealed class ChannelsLastWeightsTests
{
    private static List<TorchSharp.Modules.Conv2d> SpatialConvolutions(nn.Module model) =>
        model.modules().OfType<TorchSharp.Modules.Conv2d>().Where(c => c.weight!.shape[2] * c.weight.shape[3] > 1).ToList();

    [Theory]
    [InlineData("resnet10_tiny", ModelTask.ImageClassifier)]
    [InlineData("fcos_resnet10_tiny_fpn", ModelTask.ObjectDetector)]
    public void Should_lay_out_spatial_convolution_weights_channels_last_in_eval_mode_only(string arch, ModelTask task)
    {
        using var model = ModelZoo.CreateModel(new ModelConfig { Arch = arch, NumClasses = 3, Task = task });
        var convolutions = SpatialConvolutions(model);
        Assert.NotEmpty(convolutions);
        var parameters = convolutions.Select(c => c.weight!).ToList();
        var values = parameters.Select(p => p.detach().clone()).ToList();
        Assert.All(parameters, p => Assert.True(p.is_contiguous()));

        model.eval();
        Assert.All(convolutions, c => Assert.True(ChannelsLast.IsChannelsLast(c.weight!) && !c.weight!.is_contiguous()));
        // The same Parameter objects (an optimizer holding them still steps the model), with the same values.
        Assert.All(convolutions.Zip(parameters), pair => Assert.Same(pair.Second, pair.First.weight));
        for (int i = 0; i < parameters.Count; i++) Assert.True(parameters[i].Equals(values[i]));

        model.train();
        Assert.All(convolutions, c => Assert.True(c.weight!.is_contiguous()));
        for (int i = 0; i < parameters.Count; i++) Assert.True(parameters[i].Equals(values[i]));
    }

    [Theory]
    [InlineData("resnet10_tiny", ModelTask.ImageClassifier, 32)]
    [InlineData("fcos_resnet10_tiny_fpn", ModelTask.ObjectDetector, 64)]
    [InlineData("deeplabv3_resnet10_tiny", ModelTask.SemanticSegmentor, 64)]
    [InlineData("fcn_resnet10_tiny", ModelTask.SemanticSegmentor, 64)]
    public void Should_give_the_same_outputs_to_the_bit_in_either_layout(string arch, ModelTask task, int size)
    {
        using var model = ModelZoo.CreateModel(new ModelConfig { Arch = arch, NumClasses = 3, Task = task });
        using var x = randn(2, 3, size, size, generator: new Generator(3));
        model.eval();
        using var _ = no_grad();
        using var channelsLast = model.call(x);
        ChannelsLast.Weights(model, channelsLast: false);
        Assert.All(SpatialConvolutions(model), c => Assert.True(c.weight!.is_contiguous()));
        using var contiguous = model.call(x);
        Assert.True(channelsLast.Equals(contiguous));
    }
}
