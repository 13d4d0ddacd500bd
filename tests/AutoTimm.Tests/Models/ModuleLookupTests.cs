using AutoTimm.Models;

namespace AutoTimm.Tests.Models;

public sealed class ModuleLookupTests
{
    [Fact]
    public void Should_resolve_backbone_prefixed_names_to_the_same_module()
    {
        using var model = ModelZoo.Create("resnet10_small", 10);
        Assert.Same(ModuleLookup.Resolve(model, "layer4"), ModuleLookup.Resolve(model, "backbone.layer4"));
        Assert.Same(ModuleLookup.Resolve(model, "layer3.0.conv2"), ModuleLookup.Resolve(model, "backbone.layer3.0.conv2"));
        Assert.Equal("layer3.0.conv2", ModuleLookup.Canonical(model, "backbone.layer3.0.conv2"));
    }

    [Fact]
    public void Should_name_a_module_given_by_reference()
    {
        using var model = ModelZoo.Create("resnet10_small", 10);
        var module = ModuleLookup.Resolve(model, "layer2.0.downsample.1");
        Assert.Equal("layer2.0.downsample.1", ModuleLookup.NameOf(model, module));
    }

    [Fact]
    public void Should_list_close_matches_for_an_unknown_name()
    {
        using var model = ModelZoo.Create("resnet10_small", 10);
        var e = Assert.Throws<LayerNotFoundException>(() => ModuleLookup.Resolve(model, "layer5"));
        Assert.Contains("layer4", e.Closest);
        Assert.Contains("'layer5'", e.Message);
    }

    [Fact]
    public void Should_list_known_architectures_for_an_unknown_one()
    {
        var e = Assert.Throws<UnknownArchitectureException>(() => ModelZoo.Create("resnet19", 10));
        Assert.Contains("resnet18", e.Message);
        Assert.Contains("vit_tiny_patch16_224", e.Message);
    }
}
