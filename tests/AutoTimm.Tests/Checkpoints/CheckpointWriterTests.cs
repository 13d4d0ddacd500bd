using System.Text.Json;
using AutoTimm.Imaging;
using AutoTimm.Models;
using AutoTimm.Models.Checkpoints;
using AutoTimm.Tests.Fixtures;
using TorchSharp;

namespace AutoTimm.Tests.Checkpoints;

public sealed class CheckpointWriterTests
{
    private static readonly ModelConfig Config = new()
    {
        Arch = "tiny_cnn",
        NumClasses = 5,
        Preprocess = new PreprocessConfig { Height = 8, Width = 8 },
        ClassNames = ["a", "b", "c", "d", "e"],
    };

    [Fact]
    public void Should_write_a_native_checkpoint_that_restores_weights_and_config()
    {
        using var temp = new TempDirectory();
        var path = temp.File("tiny.safetensors");
        using var source = TinyCnn.Create();
        FixtureWeights.Fill(source);

        CheckpointWriter.Write(path, source, Config);
        using var checkpoint = CheckpointReader.Read(path);
        using var restored = TinyCnn.Create();
        StateDictLoader.Load(restored, checkpoint.StateDict);

        Assert.NotNull(checkpoint.Config);
        Assert.Equal("tiny_cnn", checkpoint.Config.Arch);
        Assert.Equal(5, checkpoint.Config.NumClasses);
        Assert.Equal(["a", "b", "c", "d", "e"], checkpoint.Config.ClassNames);
        Assert.Equal(8, checkpoint.Config.Preprocess.Height);
        Assert.Equal(TinyCnn.Names, checkpoint.StateDict.Names);
        Assert.Equal("pt", checkpoint.Metadata["format"]);
        using var metadata = JsonDocument.Parse(checkpoint.Metadata["autotimm"]);
        Assert.Equal(5, metadata.RootElement.GetProperty("num_classes").GetInt32());
        source.eval();
        restored.eval();
        using var input = FixtureWeights.Input([2, 3, 8, 8]);
        Assert.True(TensorAssert.Identical(source.call(input), restored.call(input)));
    }

    [Fact]
    public void Should_not_strip_prefixes_from_native_files()
    {
        using var temp = new TempDirectory();
        var path = temp.File("wrapped.safetensors");
        using var dict = new StateDict();
        dict.Add("model.w", torch.ones(1));

        CheckpointWriter.Write(path, dict, Config);
        using var checkpoint = CheckpointReader.Read(path);

        Assert.Equal(["model.w"], checkpoint.StateDict.Names);
        Assert.Null(checkpoint.StrippedPrefix);
    }

    [Fact]
    public void Should_refuse_extra_metadata_that_would_overwrite_the_config()
    {
        using var temp = new TempDirectory();
        using var dict = new StateDict();

        var error = Assert.Throws<ArgumentException>(() =>
            CheckpointWriter.Write(temp.File("x.safetensors"), dict, Config, new Dictionary<string, string> { ["autotimm"] = "{}" }));

        Assert.Contains("'autotimm'", error.Message);
    }
}
