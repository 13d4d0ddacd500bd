using AutoTimm.Models.Checkpoints;
using AutoTimm.Tests.Fixtures;

namespace AutoTimm.Tests.Checkpoints;

public sealed class CheckpointReaderTests
{
    [Theory]
    [InlineData("tiny_cnn.safetensors", CheckpointFormat.Safetensors)]
    [InlineData("tiny_cnn.pth", CheckpointFormat.TorchZip)]
    [InlineData("tiny_cnn_lightning.ckpt", CheckpointFormat.TorchZip)]
    [InlineData("tiny_cnn_legacy.pth", CheckpointFormat.LegacyTorch)]
    [InlineData("resnet18_logits.npy", CheckpointFormat.Unknown)]
    public void Should_detect_the_format_from_content(string file, CheckpointFormat format)
    {
        Assert.Equal(format, CheckpointReader.DetectFormat(FixturePaths.PyTorch(file)));
    }

    [Fact]
    public void Should_read_by_content_whatever_the_extension()
    {
        using var temp = new TempDirectory();
        var misnamed = temp.File("weights.pth");
        File.Copy(FixturePaths.PyTorch("tiny_cnn.safetensors"), misnamed);

        using var checkpoint = CheckpointReader.Read(misnamed);

        Assert.Equal(CheckpointFormat.Safetensors, checkpoint.Format);
        Assert.Equal(10, checkpoint.StateDict.Count);
    }

    [Fact]
    public void Should_name_the_path_of_a_missing_file()
    {
        var path = Path.Combine(Path.GetTempPath(), "autotimm-no-such-checkpoint.safetensors");

        var error = Assert.Throws<FileNotFoundException>(() => CheckpointReader.Read(path));

        Assert.Equal(path, error.FileName);
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void Should_explain_how_to_resave_a_legacy_torch_file()
    {
        var error = Assert.Throws<CheckpointFormatException>(() => CheckpointReader.Read(FixturePaths.PyTorch("tiny_cnn_legacy.pth")));

        Assert.Contains("legacy serialization", error.Message);
        Assert.Contains("_use_new_zipfile_serialization=True", error.Message);
    }

    [Fact]
    public void Should_refuse_files_that_are_not_checkpoints()
    {
        using var temp = new TempDirectory();
        var text = temp.File("notes.ckpt");
        File.WriteAllText(text, "hello world");
        var empty = temp.File("empty.pth");
        File.WriteAllBytes(empty, []);
        var pickle = temp.File("plain.pkl");
        File.WriteAllBytes(pickle, [0x80, 0x04, 0x4e, 0x2e]);

        Assert.Contains("starts with bytes 68656C6C6F20776F", Assert.Throws<CheckpointFormatException>(() => CheckpointReader.Read(text)).Message);
        Assert.Contains("empty file", Assert.Throws<CheckpointFormatException>(() => CheckpointReader.Read(empty)).Message);
        Assert.Contains("bare pickle", Assert.Throws<CheckpointFormatException>(() => CheckpointReader.Read(pickle)).Message);
    }

    [Fact]
    public void Should_strip_stacked_wrapper_prefixes()
    {
        using var temp = new TempDirectory();
        var path = temp.File("wrapped.safetensors");
        using (var source = CheckpointReader.Read(FixturePaths.PyTorch("tiny_cnn.safetensors")))
        {
            source.StateDict.RenameKeys(n => "module._orig_mod." + n);
            SafetensorsFile.Write(path, source.StateDict);
        }

        using var checkpoint = CheckpointReader.Read(path);

        Assert.Equal("module._orig_mod.", checkpoint.StrippedPrefix);
        Assert.Equal("conv1.weight", checkpoint.StateDict.Names[0]);
    }
}
