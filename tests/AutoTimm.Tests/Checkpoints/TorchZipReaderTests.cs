using System.IO.Compression;
using AutoTimm.Models.Checkpoints;
using AutoTimm.Tests.Fixtures;

namespace AutoTimm.Tests.Checkpoints;

public sealed class TorchZipReaderTests
{
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

    [Theory]
    [InlineData("tiny_cnn/data/0", 1)] // the first bytes of conv1.weight
    [InlineData("tiny_cnn/data.pkl", 40)]
    public void Should_refuse_an_entry_whose_bytes_do_not_match_the_recorded_checksum(string entryName, int offsetInEntry)
    {
        // zip readers do not check CRC-32s by themselves; one flipped bit would load as a different weight, silently.
        var bytes = File.ReadAllBytes(FixturePaths.PyTorch("tiny_cnn.pth"));
        var at = EntryDataOffset(bytes, entryName) + offsetInEntry;
        bytes[at] ^= 0x40;
        using var temp = new TempDirectory();
        var path = temp.File("flipped.pth");
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<CheckpointFormatException>(() => CheckpointReader.Read(path));

        Assert.Contains($"entry '{entryName}' does not match its recorded CRC-32", error.Message);
        Assert.Contains(path, error.Message);
    }

    /// <summary>Where a stored entry's data starts: after its local header (30 bytes, the name and the extra field).</summary>
    private static int EntryDataOffset(byte[] zip, string entryName)
    {
        var name = System.Text.Encoding.UTF8.GetBytes(entryName);
        for (var i = 0; i + 30 < zip.Length; i++)
        {
            if (zip[i] != 'P' || zip[i + 1] != 'K' || zip[i + 2] != 3 || zip[i + 3] != 4) continue;
            var nameLength = BitConverter.ToUInt16(zip, i + 26);
            var extraLength = BitConverter.ToUInt16(zip, i + 28);
            if (zip.AsSpan(i + 30, nameLength).SequenceEqual(name)) return i + 30 + nameLength + extraLength;
        }
        throw new InvalidOperationException($"no local header for {entryName}");
    }

    [Theory]
    [InlineData("torchscript", "TorchScript archive")]
    [InlineData("big endian", "big-endian")]
    [InlineData("duplicate entry", "two entries named 'archive/data.pkl'")]
    [InlineData("no pickle", "no <archive>/data.pkl entry")]
    [InlineData("missing storage", "storage entry 'archive/data/0' is missing")]
    [InlineData("short storage", "has 4 bytes but torch.FloatStorage[2] is 8")]
    [InlineData("long storage", "has 12 bytes but torch.FloatStorage[2] is 8")]
    [InlineData("list root", "top-level object is a list of 0, not a dict of tensors")]
    public void Should_refuse_zips_torch_load_would_not_give_a_state_dict_for(string problem, string message)
    {
        using var temp = new TempDirectory();
        var path = temp.File("bad.pth");
        // {'w': _rebuild_tensor_v2(('storage', FloatStorage, '0', 'cpu', 2), 0, (2,), (1,), False, OrderedDict())}
        var tensorPickle = "\u0080\u0002}X\u0001\u0000\u0000\u0000wctorch._utils\n_rebuild_tensor_v2\n((X\u0007\u0000\u0000\u0000storagectorch\nFloatStorage\nX\u0001\u0000\u0000\u00000X\u0003\u0000\u0000\u0000cpuK\u0002tQK\u0000K\u0002\u0085K\u0001\u0085\u0089ccollections\nOrderedDict\n)RtRs.";
        var entries = problem switch
        {
            "torchscript" => new[] { ("archive/constants.pkl", "\u0080\u0002)."), ("archive/code/__torch__.py", "") },
            "big endian" => [("archive/data.pkl", "\u0080\u0002}."), ("archive/byteorder", "big")],
            "duplicate entry" => [("archive/data.pkl", "\u0080\u0002}."), ("archive/data.pkl", "\u0080\u0002}.")],
            "no pickle" => [("archive/version", "3")],
            "missing storage" => [("archive/data.pkl", tensorPickle)],
            "short storage" => [("archive/data.pkl", tensorPickle), ("archive/data/0", "\u0000\u0000\u0000\u0000")],
            "long storage" => [("archive/data.pkl", tensorPickle), ("archive/data/0", new string('\u0000', 12))],
            "list root" => [("archive/data.pkl", "\u0080\u0002].")],
            _ => throw new ArgumentOutOfRangeException(nameof(problem)),
        };
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            foreach (var (name, content) in entries)
            {
                using var stream = zip.CreateEntry(name, CompressionLevel.NoCompression).Open();
                stream.Write(System.Text.Encoding.Latin1.GetBytes(content));
            }
        }

        var error = Assert.Throws<CheckpointFormatException>(() => CheckpointReader.Read(path));

        Assert.Contains(message, error.Message);
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void Should_read_a_hand_written_zip_with_a_compressed_storage()
    {
        using var temp = new TempDirectory();
        var path = temp.File("deflated.pth");
        var tensorPickle = "\u0080\u0002}X\u0001\u0000\u0000\u0000wctorch._utils\n_rebuild_tensor_v2\n((X\u0007\u0000\u0000\u0000storagectorch\nFloatStorage\nX\u0001\u0000\u0000\u00000X\u0003\u0000\u0000\u0000cpuK\u0002tQK\u0000K\u0002\u0085K\u0001\u0085\u0089ccollections\nOrderedDict\n)RtRs.";
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            using (var pickle = zip.CreateEntry("archive/data.pkl").Open()) pickle.Write(System.Text.Encoding.Latin1.GetBytes(tensorPickle));
            using var storage = zip.CreateEntry("archive/data/0", CompressionLevel.Optimal).Open();
            storage.Write(BitConverter.GetBytes(1.5f));
            storage.Write(BitConverter.GetBytes(-2f));
        }

        using var checkpoint = CheckpointReader.Read(path);

        Assert.Equal(new[] { 1.5f, -2f }, checkpoint.StateDict["w"].data<float>().ToArray());
    }

    [Fact]
    public void Should_refuse_a_compressed_storage_that_expands_past_the_limit()
    {
        // 64 MiB of zeros deflate to ~64 KiB: a small file claiming a large tensor.
        using var temp = new TempDirectory();
        var path = temp.File("bomb.pth");
        const int elements = 16 << 20;
        var tensorPickle = "\u0080\u0002}X\u0001\u0000\u0000\u0000wctorch._utils\n_rebuild_tensor_v2\n((X\u0007\u0000\u0000\u0000storagectorch\nFloatStorage\nX\u0001\u0000\u0000\u00000X\u0003\u0000\u0000\u0000cpuJ"
            + System.Text.Encoding.Latin1.GetString(BitConverter.GetBytes(elements))
            + "tQK\u0000J" + System.Text.Encoding.Latin1.GetString(BitConverter.GetBytes(elements)) + "\u0085K\u0001\u0085\u0089ccollections\nOrderedDict\n)RtRs.";
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            using (var pickle = zip.CreateEntry("archive/data.pkl").Open()) pickle.Write(System.Text.Encoding.Latin1.GetBytes(tensorPickle));
            using var storage = zip.CreateEntry("archive/data/0", CompressionLevel.Optimal).Open();
            storage.Write(new byte[4L * elements]);
        }
        Assert.True(new FileInfo(path).Length < 1 << 20);
        var error = Assert.Throws<CheckpointFormatException>(() => CheckpointReader.Read(path, new CheckpointReadOptions { MaxDeflatedEntryBytes = 32 << 20 }));
        Assert.Contains("expands to 67,108,864 bytes, over the 33,554,432-byte limit for compressed entries", error.Message, StringComparison.Ordinal);
        using var allowed = CheckpointReader.Read(path);
        Assert.Equal(elements, allowed.StateDict["w"].numel());
    }
}
