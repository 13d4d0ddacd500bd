using AutoTimm.Models;
using AutoTimm.Models.Checkpoints;
using AutoTimm.Tests.Fixtures;
using TorchSharp;

namespace AutoTimm.Tests.Checkpoints;

public sealed class LightningCheckpointTests
{
    [Fact]
    public void Should_import_the_state_dict_with_the_model_prefix_stripped()
    {
        var expected = ExpectedTensors.Load(FixturePaths.PyTorch("tiny_cnn_expected.json"));

        using var checkpoint = CheckpointReader.Read(FixturePaths.PyTorch("tiny_cnn_lightning.ckpt"));

        Assert.Equal(CheckpointFormat.TorchZip, checkpoint.Format);
        Assert.Equal("state_dict", checkpoint.StateDictEntry);
        Assert.Equal("model.", checkpoint.StrippedPrefix);
        Assert.Equal(expected.Keys, checkpoint.StateDict.Names);
        foreach (var (name, tensor) in checkpoint.StateDict) ExpectedTensors.AssertEqual(expected[name], tensor, name);
    }

    [Fact]
    public void Should_leave_hyper_parameters_optimizer_states_and_callbacks_as_inert_entries()
    {
        using var checkpoint = CheckpointReader.Read(FixturePaths.PyTorch("tiny_cnn_lightning.ckpt"));

        Assert.Equal(
            ["epoch", "global_step", "pytorch-lightning_version", "loops", "callbacks", "optimizer_states", "lr_schedulers", "hparams_name", "hyper_parameters"],
            checkpoint.OtherEntries);
        Assert.Equal(10, checkpoint.StateDict.Count); // the optimizer's momentum buffers were not materialized
    }

    [Fact]
    public void Should_keep_the_prefix_when_asked()
    {
        using var checkpoint = CheckpointReader.Read(FixturePaths.PyTorch("tiny_cnn_lightning.ckpt"), new CheckpointReadOptions { StripWrapperPrefixes = false });

        Assert.Null(checkpoint.StrippedPrefix);
        Assert.All(checkpoint.StateDict.Names, n => Assert.StartsWith("model.", n));
    }

    [Fact]
    public void Should_read_a_named_entry_and_explain_a_missing_one()
    {
        var path = FixturePaths.PyTorch("tiny_cnn_lightning.ckpt");

        var error = Assert.Throws<CheckpointFormatException>(() => CheckpointReader.Read(path, new CheckpointReadOptions { StateDictKey = "ema" }));
        Assert.Contains("no top-level entry 'ema'", error.Message);
        Assert.Contains("'state_dict'", error.Message);

        var notDict = Assert.Throws<CheckpointFormatException>(() => CheckpointReader.Read(path, new CheckpointReadOptions { StateDictKey = "epoch" }));
        Assert.Contains("'epoch' is the number 3, not a dict of tensors", notDict.Message);
    }

    [Fact]
    public void Should_keep_the_plain_hyper_parameters_and_leave_pickled_objects_out()
    {
        using var checkpoint = CheckpointReader.Read(FixturePaths.PyTorch("tiny_cnn_lightning.ckpt"));
        using var plain = CheckpointReader.Read(FixturePaths.PyTorch("tiny_cnn.pth"));

        // {"backbone": "tiny_cnn", "num_classes": 5, "args": argparse.Namespace(...)}: the Namespace stays inert.
        Assert.Equal(["backbone", "num_classes"], checkpoint.HyperParameters.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("tiny_cnn", checkpoint.HyperParameters["backbone"]);
        Assert.Equal(5L, checkpoint.HyperParameters["num_classes"]);
        Assert.Empty(plain.HyperParameters);
    }

    [Fact]
    public void Should_name_a_trained_backbone_the_zoo_does_not_have()
    {
        var e = Assert.Throws<ArgumentException>(() => ImageClassifier.LoadFromCheckpoint(FixturePaths.PyTorch("tiny_cnn_lightning.ckpt")));

        Assert.Contains("backbone 'tiny_cnn'", e.Message);
        Assert.Contains("resnet18", e.Message); // the choices
        Assert.Contains("--arch", e.Message);
    }

    public static TheoryData<string> BackboneLayouts => ["flat", "nested", "timm-prefixed"];

    [Theory]
    [MemberData(nameof(BackboneLayouts))]
    public void Should_build_the_model_its_hyper_parameters_name_without_an_arch(string layout)
    {
        using var dir = new TempDirectory();
        var path = dir.File("autotimm.ckpt");
        torch.manual_seed(7);
        using var source = ModelZoo.Create("resnet10_tiny", 3);
        source.eval();
        using var weights = StateDictLoader.FromModule(source);
        object backbone = layout switch
        {
            "flat" => "resnet10_tiny",
            "nested" => new Dictionary<string, object> { ["model_name"] = "resnet10_tiny", ["pretrained"] = false },
            _ => "timm/resnet10_tiny",
        };
        TorchSaveWriter.Write(path, new Dictionary<string, object>
        {
            ["epoch"] = 4L,
            // AutoTimm's Python ImageClassifier stores backbone.* and head.fc.* under the Lightning module's state_dict.
            ["state_dict"] = weights.ToDictionary(
                kv => kv.Key.StartsWith("fc.", StringComparison.Ordinal) ? "head." + kv.Key : "backbone." + kv.Key,
                kv => (object)kv.Value),
            ["hyper_parameters"] = new Dictionary<string, object> { ["backbone"] = backbone, ["num_classes"] = 3L, ["lr"] = 1e-3, ["compile_model"] = false },
        });

        using var loaded = ImageClassifier.LoadFromCheckpoint(path);
        using var input = torch.rand(2, 3, 64, 64, generator: new torch.Generator(5));
        using var expected = source.forward(input);
        using var actual = loaded.forward(input);

        Assert.Equal("resnet10_tiny", loaded.Config.Arch);
        Assert.Equal(3, loaded.NumClasses);
        Assert.Equal(0, (actual - expected).abs().max().item<float>());
    }

    [Fact]
    public void Should_prefer_the_caller_then_the_weight_to_the_hyper_parameters()
    {
        using var dir = new TempDirectory();
        var path = dir.File("autotimm.ckpt");
        using var source = ModelZoo.Create("resnet10_tiny", 4);
        using var weights = StateDictLoader.FromModule(source);
        TorchSaveWriter.Write(path, new Dictionary<string, object>
        {
            ["state_dict"] = weights.ToDictionary(kv => "model." + kv.Key, kv => (object)kv.Value),
            ["hyper_parameters"] = new Dictionary<string, object> { ["backbone"] = "efficientnet_b7", ["num_classes"] = 1000L },
        });

        using var loaded = ImageClassifier.LoadFromCheckpoint(path, "resnet10_tiny");
        var e = Assert.Throws<CheckpointMismatchException>(() => ImageClassifier.LoadFromCheckpoint(path, "resnet10_tiny", 5));

        Assert.Equal(4, loaded.NumClasses); // the weight's 4 rows win over the hyper-parameters' 1000
        Assert.Contains("fc.weight", e.Message); // the caller's count wins over both, and the weight then disagrees
    }
}
