using AutoTimm.Models;
using AutoTimm.Models.Architectures;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoTimm.Tests.Models;

public sealed class ResNetTests
{
    [Theory]
    [InlineData("resnet18")]
    [InlineData("resnet50")]
    public void Should_have_torchvision_parameter_and_buffer_names_and_shapes(string arch)
    {
        using var ours = ModelZoo.Create(arch, 1000);
        using nn.Module reference = arch == "resnet18" ? torchvision.models.resnet18() : torchvision.models.resnet50();
        var expected = reference.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.shape);
        var actual = ours.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.shape);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, shape) in expected)
            Assert.Equal(shape, actual[name]);
    }

    [Fact]
    public void Should_fire_hooks_on_stages_and_on_blocks_inside_them()
    {
        using var model = ModelZoo.Create("resnet10_small", 10);
        model.eval();
        var seen = new List<string>();
        var stage = (nn.Module<Tensor, Tensor>)ModuleLookup.Resolve(model, "layer4");
        var block = (nn.Module<Tensor, Tensor>)ModuleLookup.Resolve(model, "layer3.0");
        long[]? stageShape = null;
        var h1 = stage.register_forward_hook((m, i, o) => { seen.Add("layer4"); stageShape = o.shape; return o; });
        var h2 = block.register_forward_hook((m, i, o) => { seen.Add("layer3.0"); return o; });
        using var x = randn(2, 3, 64, 64);
        using var y = model.call(x);
        h1.remove();
        h2.remove();
        Assert.Equal(["layer3.0", "layer4"], seen);
        Assert.Equal(new long[] { 2, 256, 8, 8 }, stageShape);
        Assert.Equal(new long[] { 2, 10 }, y.shape);
    }

    [Fact]
    public void Should_keep_hooked_activations_alive_after_forward()
    {
        using var model = ModelZoo.Create("resnet10_small", 10);
        model.eval();
        Tensor? captured = null;
        var stage = (nn.Module<Tensor, Tensor>)ModuleLookup.Resolve(model, "layer4");
        var hook = stage.register_forward_hook((m, i, o) => { captured = o; return o; });
        using (var x = randn(1, 3, 64, 64))
        using (model.call(x)) { }
        hook.remove();
        Assert.NotNull(captured);
        Assert.False(captured!.IsInvalid);
        Assert.Equal(new long[] { 1, 256, 8, 8 }, captured.shape);
    }

    [Fact]
    public void Should_reject_input_with_wrong_channel_count_naming_the_shape()
    {
        using var model = ModelZoo.Create("resnet10_small", 10);
        using var x = randn(1, 1, 64, 64);
        var e = Assert.Throws<ArgumentException>(() => model.call(x));
        Assert.Contains("[1,1,64,64]", e.Message);
        Assert.Contains("[N,3,H,W]", e.Message);
    }

    [Fact]
    public void Should_use_small_stem_without_maxpool_for_small_variants()
    {
        using var model = ModelZoo.Create("resnet18_small", 10);
        var conv1 = (TorchSharp.Modules.Conv2d)ModuleLookup.Resolve(model, "conv1");
        Assert.Equal(new long[] { 64, 3, 3, 3 }, conv1.weight!.shape);
        Assert.Equal("layer4", model.DefaultTargetLayer);
    }
}
