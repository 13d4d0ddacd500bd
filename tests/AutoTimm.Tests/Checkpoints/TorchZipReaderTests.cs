using AutoTimm.Models.Checkpoints;
using AutoTimm.Native;
using AutoTimm.Tests.Fixtures;

namespace AutoTimm.Tests.Checkpoints;

public sealed class TorchZipReaderTests
{
    public TorchZipReaderTests() => TorchRuntime.EnsureLoaded();

    [Fact]
    public void Should_read_torch_save_of_the_tiny_cnn_identical_to_its_safetensors_and_expected_values()
    {
        var expected = ExpectedTensors.Load(FixturePaths.PyTorch("tiny_cnn_expected.json"));

        using var pth = CheckpointReader.Read(FixturePaths.PyTorch("tiny_cnn.pth"));
        using var safetensors = CheckpointReader.Read(FixturePaths.PyTorch("tiny_cnn.safetensors"));

        Assert.Equal(CheckpointFormat.TorchZip, pth.Format);
        Assert.Null(pth.StateDictEntry);
        Assert.Equal(expected.Keys, pth.StateDict.Names);
        foreach (var (name, tensor) in pth.StateDict)
        {
            ExpectedTensors.AssertEqual(expected[name], tensor, name);
            Assert.True(TensorAssert.Identical(tensor, safetensors.StateDict[name]), name);
        }
        Assert.Equal(0L, pth.StateDict["bn1.num_batches_tracked"].item<long>());
    }

    [Fact]
    public void Should_read_every_supported_storage_dtype_including_fp16_and_bf16()
    {
        var expected = ExpectedTensors.Load(FixturePaths.PyTorch("dtypes_expected.json"));

        using var checkpoint = CheckpointReader.Read(FixturePaths.PyTorch("dtypes.pth"));

        Assert.Equal(expected.Keys, checkpoint.StateDict.Names);
        foreach (var (name, tensor) in checkpoint.StateDict) ExpectedTensors.AssertEqual(expected[name], tensor, name);
    }

    [Fact]
    public void Should_honour_storage_offsets_strides_and_shared_storages()
    {
        var expected = ExpectedTensors.Load(FixturePaths.PyTorch("views_expected.json"));

        using var checkpoint = CheckpointReader.Read(FixturePaths.PyTorch("views.pth"));

        Assert.Equal(["base", "sliced", "strided", "transposed", "row", "tail"], checkpoint.StateDict.Names);
        foreach (var (name, tensor) in checkpoint.StateDict)
        {
            ExpectedTensors.AssertEqual(expected[name], tensor, name);
            Assert.True(tensor.is_contiguous(), name);
        }
    }

    [Fact]
    public void Should_take_the_model_entry_of_a_research_style_container_and_leave_the_rest_inert()
    {
        var expected = ExpectedTensors.Load(FixturePaths.PyTorch("tiny_cnn_expected.json"));

        using var checkpoint = CheckpointReader.Read(FixturePaths.PyTorch("tiny_cnn_container.pth"));

        Assert.Equal("model", checkpoint.StateDictEntry);
        Assert.Equal(["optimizer", "epoch", "args"], checkpoint.OtherEntries);
        Assert.Equal(expected.Keys, checkpoint.StateDict.Names);
        foreach (var (name, tensor) in checkpoint.StateDict) ExpectedTensors.AssertEqual(expected[name], tensor, name);
    }

    [Fact]
    public void Should_read_the_committed_vit_fixture_identically_from_pth_and_safetensors()
    {
        using var pth = CheckpointReader.Read(FixturePaths.PyTorch("vit_small.pth"));
        using var safetensors = CheckpointReader.Read(FixturePaths.PyTorch("vit_small.safetensors"));

        Assert.Equal(pth.StateDict.Names, safetensors.StateDict.Names);
        Assert.Equal(["cls_token", "pos_embed", "patch_embed.proj.weight", "patch_embed.proj.bias", "blocks.0.norm1.weight"], pth.StateDict.Names.Take(5));
        Assert.Equal(32, pth.StateDict.Count);
        foreach (var (name, tensor) in pth.StateDict) Assert.True(TensorAssert.Identical(tensor, safetensors.StateDict[name]), name);
    }

    [Fact]
    public void Should_load_or_refuse_cleanly_every_corruption_of_a_valid_zip()
    {
        var original = File.ReadAllBytes(FixturePaths.PyTorch("tiny_cnn.pth"));
        using var temp = new TempDirectory();
        var path = temp.File("fuzzed.pth");
        int loaded = 0, refused = 0;

        foreach (var (description, bytes) in CorruptionFuzzer.Mutations(original, 300, seed: 77))
        {
            File.WriteAllBytes(path, bytes);
            try
            {
                using var checkpoint = CheckpointReader.Read(path);
                loaded++;
            }
            catch (CheckpointException)
            {
                refused++;
            }
            catch (Exception e)
            {
                Assert.Fail($"{description}: {e.GetType().Name}: {e.Message}");
            }
        }

        Assert.Equal(300, loaded + refused);
        Assert.True(refused > 50, $"only {refused} corruptions were refused");
    }
}
