using AutoTimm.Models.Checkpoints;
using AutoTimm.Native;
using AutoTimm.Tests.Fixtures;

namespace AutoTimm.Tests.Checkpoints;

public sealed class LightningCheckpointTests
{
    public LightningCheckpointTests() => TorchRuntime.EnsureLoaded();

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
}
