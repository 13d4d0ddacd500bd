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

    private static VisionTransformer ConvStemVit(long seed)
    {
        manual_seed(seed);
        var config = new ModelConfig { Arch = "vit_convstem_test", NumClasses = 4, Preprocess = new() { Height = 16, Width = 16 } };
        return new VisionTransformer(new VitSpec { ImageSize = 16, PatchSize = 4, EmbedDim = 12, Depth = 1, NumHeads = 3, StemChannels = [4, 6] }, config);
    }

    [Fact]
    public void Should_name_a_convolutional_stem_like_timms_hybrid_embedding()
    {
        using var vit = ModelZoo.Create("vit_pico_convstem_patch8_64", 10);
        var shapes = vit.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.shape);

        Assert.Equal(new long[] { 32, 3, 3, 3 }, shapes["patch_embed.backbone.0.conv.weight"]);
        Assert.Equal(new long[] { 32 }, shapes["patch_embed.backbone.0.bn.running_var"]);
        Assert.Equal(new long[] { 64, 32, 3, 3 }, shapes["patch_embed.backbone.1.conv.weight"]);
        Assert.Equal(new long[] { 128, 64, 3, 3 }, shapes["patch_embed.backbone.2.conv.weight"]);
        Assert.Equal(new long[] { 96, 128, 1, 1 }, shapes["patch_embed.proj.weight"]);
        Assert.Equal(new long[] { 96 }, shapes["patch_embed.proj.bias"]);
        Assert.Equal(new long[] { 1, 65, 96 }, shapes["pos_embed"]);
        Assert.DoesNotContain(shapes.Keys, k => k.Contains("_stem", StringComparison.Ordinal) || k.Contains("_proj", StringComparison.Ordinal));
        Assert.Equal(new TokenLayout(1, 8, 8), vit.TokenLayout);
    }

    [Fact]
    public void Should_embed_patches_through_the_stem_as_conv_batchnorm_relu_then_a_pointwise_projection()
    {
        using var vit = ConvStemVit(11);
        var state = vit.state_dict();
        using (no_grad())
        {
            // Non-trivial running statistics, so eval-mode BatchNorm is really exercised.
            foreach (var (name, tensor) in state.Where(kv => kv.Key.Contains(".bn.running_", StringComparison.Ordinal)))
                tensor.copy_(rand_like(tensor) + 0.5);
        }
        vit.eval();
        var embed = (nn.Module<Tensor, Tensor>)ModuleLookup.Resolve(vit, "patch_embed");
        using var x = randn(2, 3, 16, 16);

        using var tokens = embed.call(x);

        using var scope = NewDisposeScope();
        var y = x;
        for (int i = 0; i < 2; i++)
        {
            string p = $"patch_embed.backbone.{i}.";
            y = nn.functional.conv2d(y, state[p + "conv.weight"], strides: [2, 2], padding: [1, 1]);
            y = nn.functional.batch_norm(y, state[p + "bn.running_mean"], state[p + "bn.running_var"], state[p + "bn.weight"], state[p + "bn.bias"], training: false, eps: 1e-5);
            y = nn.functional.relu(y);
        }
        y = nn.functional.conv2d(y, state["patch_embed.proj.weight"], state["patch_embed.proj.bias"]);
        var expected = y.flatten(2).transpose(1, 2);
        Assert.Equal(new long[] { 2, 16, 12 }, tokens.shape);
        Assert.True(tokens.allclose(expected, atol: 1e-5), $"max difference {(tokens - expected).abs().max().item<float>()}");
    }

    [Fact]
    public void Should_give_each_token_the_receptive_field_of_its_own_patch()
    {
        // Changing pixels of one 4x4 patch moves its token most; a token far away (outside the stem's
        // receptive field) does not move at all.
        using var vit = ConvStemVit(12);
        vit.eval();
        var embed = (nn.Module<Tensor, Tensor>)ModuleLookup.Resolve(vit, "patch_embed");
        using var x = randn(1, 3, 16, 16);
        using var changed = x.clone();
        using (no_grad()) changed[.., .., 0..4, 0..4].add_(3.0);

        using var a = embed.call(x);
        using var b = embed.call(changed);
        using var moved = (a - b).abs().sum(-1)[0];

        Assert.True(moved[0].item<float>() > 0);
        Assert.Equal(0f, moved[15].item<float>());
        Assert.Equal(0f, moved[10].item<float>());
    }

    [Fact]
    public void Should_reject_a_stem_that_does_not_make_the_patch_size()
    {
        var config = new ModelConfig { Arch = "vit_convstem_test", NumClasses = 4, Preprocess = new() { Height = 16, Width = 16 } };
        var e = Assert.Throws<ArgumentException>(() =>
            new VisionTransformer(new VitSpec { ImageSize = 16, PatchSize = 8, EmbedDim = 12, Depth = 1, NumHeads = 3, StemChannels = [4, 6] }, config));
        Assert.Contains("4 px patches, not 8", e.Message);
    }
}
