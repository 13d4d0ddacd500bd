using AutoTimm.Models;
using AutoTimm.Models.Architectures;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoTimm.Tests.Models;

public sealed class VisionTransformerTests
{
    [Fact]
    public void Should_use_timm_parameter_names()
    {
        using var vit = ModelZoo.Create("vit_femto_patch8_32", 10);
        var shapes = vit.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.shape);
        Assert.Equal(new long[] { 1, 1, 48 }, shapes["cls_token"]);
        Assert.Equal(new long[] { 1, 17, 48 }, shapes["pos_embed"]);
        Assert.Equal(new long[] { 48, 3, 8, 8 }, shapes["patch_embed.proj.weight"]);
        Assert.Equal(new long[] { 144, 48 }, shapes["blocks.1.attn.qkv.weight"]);
        Assert.Equal(new long[] { 144 }, shapes["blocks.1.attn.qkv.bias"]);
        Assert.Equal(new long[] { 48, 48 }, shapes["blocks.0.attn.proj.weight"]);
        Assert.Equal(new long[] { 192, 48 }, shapes["blocks.0.mlp.fc1.weight"]);
        Assert.Equal(new long[] { 48, 192 }, shapes["blocks.0.mlp.fc2.weight"]);
        Assert.Equal(new long[] { 48 }, shapes["blocks.0.norm1.weight"]);
        Assert.Equal(new long[] { 48 }, shapes["norm.bias"]);
        Assert.Equal(new long[] { 10, 48 }, shapes["head.weight"]);
        Assert.True(4 + 2 * 12 + 2 + 2 == shapes.Count, string.Join(" ", shapes.Keys));
    }

    [Fact]
    public void Should_hand_out_each_blocks_per_head_attention_through_a_hook()
    {
        using var vit = ModelZoo.Create("vit_femto_patch8_32", 10);
        vit.eval();
        var maps = new List<Tensor>();
        var hooks = Enumerable.Range(0, 2)
            .Select(i => ((nn.Module<Tensor, Tensor>)ModuleLookup.Resolve(vit, $"blocks.{i}.attn.attn_drop"))
                .register_forward_hook((m, inp, o) => { maps.Add(o.detach()); return o; }))
            .ToList();
        using var x = randn(2, 3, 32, 32);
        using var y = vit.call(x);
        hooks.ForEach(h => h.remove());
        Assert.Equal(2, maps.Count);
        foreach (var a in maps)
        {
            Assert.Equal(new long[] { 2, 3, 17, 17 }, a.shape);
            using var rowSums = a.sum(-1);
            Assert.True(rowSums.allclose(ones_like(rowSums), atol: 1e-5));
        }
        Assert.Equal(new TokenLayout(1, 4, 4), vit.TokenLayout);
        Assert.Equal("blocks.1.norm1", vit.DefaultTargetLayer);
    }

    [Fact]
    public void Should_reject_inputs_of_another_size()
    {
        using var vit = ModelZoo.Create("vit_femto_patch8_32", 10);
        using var x = randn(1, 3, 64, 64);
        var e = Assert.Throws<ArgumentException>(() => vit.call(x));
        Assert.Contains("[N,3,32,32]", e.Message);
    }

    [Fact]
    public void Should_build_timm_sizes()
    {
        using var vit = (VisionTransformer)ModelZoo.Create("vit_tiny_patch16_224", 1000);
        Assert.Equal(12, vit.Blocks.Count);
        Assert.Equal(192, vit.Spec.EmbedDim);
        long parameters = vit.parameters().Sum(p => p.numel());
        Assert.Equal(5_717_416, parameters); // timm's vit_tiny_patch16_224 parameter count
    }

    [Fact]
    public void Should_initialise_like_timm_so_the_class_token_carries_signal()
    {
        TorchSharp.torch.manual_seed(3);
        using var vit = ModelZoo.Create("vit_pico_patch8_64", 10);
        var state = vit.state_dict();
        Assert.InRange(state["pos_embed"].std().item<float>(), 0.018f, 0.022f);
        Assert.InRange(state["blocks.0.attn.qkv.weight"].std().item<float>(), 0.018f, 0.022f);
        Assert.InRange(state["cls_token"].std().item<float>(), 1e-7f, 1e-5f);
        // The final class-token features are normalized, not collapsed to zero.
        using var x = TorchSharp.torch.randn(2, 3, 64, 64);
        using var features = vit.ForwardFeatures(x);
        Assert.InRange(features.std().item<float>(), 0.5f, 2f);
    }
}
