using AutoTimm.Imaging;
using AutoTimm.Models;
using AutoTimm.Models.Architectures;
using AutoTimm.Tests.Fixtures;
using static TorchSharp.torch;

namespace AutoTimm.Tests.Models;

/// <summary>Our architectures, given PyTorch's weights, give PyTorch's logits (fixtures from make_pytorch_fixtures.py).</summary>
public sealed class PyTorchEquivalenceTests
{
    private static float MaxAbsDiff(Tensor a, Tensor b) => (a - b).abs().max().item<float>();

    [Fact]
    public void Should_match_torchvision_resnet18_logits_with_the_same_weights()
    {
        using var model = ModelZoo.Create("resnet18", 1000);
        FixtureWeights.Fill(model);
        model.eval();
        using var input = Npy.Load(FixturePaths.PyTorch("resnet18_input.npy"));
        using var expected = Npy.Load(FixturePaths.PyTorch("resnet18_logits.npy"));
        using var logits = model.call(input);
        Assert.True(MaxAbsDiff(logits, expected) <= 1e-4, $"max abs diff {MaxAbsDiff(logits, expected)}");
    }

    [Theory]
    [InlineData("vit_small.pth")]
    [InlineData("vit_small.safetensors")]
    public void Should_match_timm_vit_logits_and_attention_after_import(string file)
    {
        using var model = (VisionTransformer)ImageClassifier.LoadFromCheckpoint(FixturePaths.PyTorch(file), "vit_femto_patch8_32");
        Assert.Equal(10, model.NumClasses);
        using var input = Npy.Load(FixturePaths.PyTorch("vit_small_input.npy"));
        using var expected = Npy.Load(FixturePaths.PyTorch("vit_small_logits.npy"));
        var attention = new Tensor?[2];
        var hooks = Enumerable.Range(0, 2).Select(i => model.Blocks[i].Attention.AttentionProbe
            .register_forward_hook((_, _, o) => { attention[i] = o.detach().clone(); return o; })).ToList();
        using var logits = model.call(input);
        hooks.ForEach(h => h.remove());
        Assert.True(MaxAbsDiff(logits, expected) <= 1e-4, $"max abs diff {MaxAbsDiff(logits, expected)}");
        for (int b = 0; b < 2; b++)
        {
            using var expectedAttention = Npy.Load(FixturePaths.PyTorch($"vit_small_attn_block{b}.npy"));
            Assert.True(MaxAbsDiff(attention[b]!, expectedAttention) <= 1e-5, $"block {b}");
        }
    }

    [Fact]
    public void Should_match_timm_vit_tiny_patch16_224_logits_with_the_same_weights()
    {
        using var model = ModelZoo.Create("vit_tiny_patch16_224", 10);
        FixtureWeights.Fill(model);
        model.eval();
        using var input = FixtureWeights.Input([1, 3, 224, 224]);
        using var expected = Npy.Load(FixturePaths.PyTorch("vit_tiny_patch16_224_logits.npy"));
        using var logits = model.call(input);
        Assert.True(MaxAbsDiff(logits, expected) <= 1e-4, $"max abs diff {MaxAbsDiff(logits, expected)}");
    }

    [Fact]
    public void Should_round_trip_a_native_checkpoint_with_its_configuration()
    {
        using var dir = new TempDirectory();
        var config = new ModelConfig
        {
            Arch = "resnet10_tiny",
            NumClasses = 3,
            ClassNames = ["cat", "dog", "bird"],
            Preprocess = new PreprocessConfig { Height = 40, Width = 48, Mean = [0.1f, 0.2f, 0.3f], Std = [0.4f, 0.5f, 0.6f] },
        };
        using var model = ModelZoo.Create(config);
        model.Save(dir.File("m.safetensors"));
        using var loaded = ImageClassifier.LoadFromCheckpoint(dir.File("m.safetensors"));
        Assert.Equal(config.Arch, loaded.Config.Arch);
        Assert.Equal(config.ClassNames, loaded.Config.ClassNames);
        Assert.Equal(40, loaded.Config.Preprocess.Height);
        Assert.Equal(config.Preprocess.Std, loaded.Config.Preprocess.Std);
        model.eval();
        using var x = randn(2, 3, 40, 48);
        using var a = model.call(x);
        using var b = loaded.call(x);
        Assert.Equal(0f, MaxAbsDiff(a, b));
    }

    [Fact]
    public void Should_ask_for_the_architecture_of_a_plain_state_dict_and_name_mismatched_keys()
    {
        var noArch = Assert.Throws<ArgumentException>(() => ImageClassifier.LoadFromCheckpoint(FixturePaths.PyTorch("vit_small.pth")));
        Assert.Contains("--arch", noArch.Message);
        var wrongArch = Assert.ThrowsAny<Exception>(() => ImageClassifier.LoadFromCheckpoint(FixturePaths.PyTorch("vit_small.pth"), "resnet18"));
        Assert.Contains("conv1.weight", wrongArch.Message);
    }
}
