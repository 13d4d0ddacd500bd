using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using AutoTimm.Models.Checkpoints;
using AutoTimm.Tests.Fixtures;
using TorchSharp;

namespace AutoTimm.Tests.Checkpoints;

public sealed class SafetensorsFileTests
{
    [Fact]
    public void Should_read_the_tiny_cnn_written_by_python_with_exact_values()
    {
        var expected = ExpectedTensors.Load(FixturePaths.PyTorch("tiny_cnn_expected.json"));

        using var checkpoint = SafetensorsFile.Read(FixturePaths.PyTorch("tiny_cnn.safetensors"));

        Assert.Equal(expected.Keys, checkpoint.StateDict.Names);
        foreach (var (name, tensor) in checkpoint.StateDict) ExpectedTensors.AssertEqual(expected[name], tensor, name);
        Assert.Equal("pt", checkpoint.Metadata["format"]);
        Assert.Null(checkpoint.Config);
        Assert.Equal(CheckpointFormat.Safetensors, checkpoint.Format);
    }

    [Fact]
    public void Should_read_every_supported_dtype_exactly()
    {
        var expected = ExpectedTensors.Load(FixturePaths.PyTorch("dtypes_expected.json"));

        using var checkpoint = SafetensorsFile.Read(FixturePaths.PyTorch("dtypes.safetensors"));

        Assert.Equal(["F32", "F16", "BF16", "F64", "I64", "I32", "I16", "I8", "U8", "BOOL", "F32", "F32"], expected.Values.Select(e => e.DType));
        Assert.Equal(expected.Keys, checkpoint.StateDict.Names);
        foreach (var (name, tensor) in checkpoint.StateDict) ExpectedTensors.AssertEqual(expected[name], tensor, name);
        Assert.Equal("all dtypes", checkpoint.Metadata["note"]);
    }

    [Fact]
    public void Should_round_trip_tensors_of_every_dtype_with_metadata()
    {
        using var temp = new TempDirectory();
        var path = temp.File("round-trip.safetensors");
        using var original = SafetensorsFile.Read(FixturePaths.PyTorch("dtypes.safetensors"));
        using var transposed = torch.arange(6, torch.ScalarType.Float32).reshape(2, 3).t();
        original.StateDict.Add("transposed", transposed.clone().t()); // non-contiguous: written row-major
        var metadata = new Dictionary<string, string> { ["format"] = "pt", ["note"] = "ünïcode ✓" };

        SafetensorsFile.Write(path, original.StateDict, metadata);
        using var copy = SafetensorsFile.Read(path);

        Assert.Equal(original.StateDict.Names, copy.StateDict.Names);
        foreach (var (name, tensor) in original.StateDict)
        {
            Assert.Equal(tensor.dtype, copy.StateDict[name].dtype);
            Assert.Equal(tensor.shape, copy.StateDict[name].shape);
            Assert.True(TensorAssert.Identical(tensor, copy.StateDict[name]), name);
        }
        Assert.Equal(metadata, copy.Metadata);
    }

    [Fact]
    public void Should_write_an_aligned_header_that_lays_data_out_by_element_size()
    {
        using var temp = new TempDirectory();
        var path = temp.File("aligned.safetensors");
        using var dict = new StateDict();
        dict.Add("odd_bytes", torch.ones(3, torch.ScalarType.Byte));
        dict.Add("halves", torch.ones(3, torch.ScalarType.Float16));
        dict.Add("doubles", torch.ones(2, torch.ScalarType.Float64));

        SafetensorsFile.Write(path, dict);

        var bytes = File.ReadAllBytes(path);
        var headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0, headerLength % 8);
        using var header = JsonDocument.Parse(bytes.AsMemory(8, headerLength));
        Assert.Equal(["odd_bytes", "halves", "doubles"], header.RootElement.EnumerateObject().Select(p => p.Name));
        long[] Offsets(string name) => header.RootElement.GetProperty(name).GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        Assert.Equal([0L, 16L], Offsets("doubles"));
        Assert.Equal([16L, 22L], Offsets("halves"));
        Assert.Equal([22L, 25L], Offsets("odd_bytes"));
        Assert.Equal(8 + headerLength + 25, bytes.Length);
    }

    [Fact]
    public void Should_refuse_a_dtype_safetensors_cannot_hold_and_keep_the_previous_file()
    {
        using var temp = new TempDirectory();
        var path = temp.File("weights.safetensors");
        File.WriteAllText(path, "previous");
        using var dict = new StateDict();
        dict.Add("complex", torch.zeros(2, torch.ScalarType.ComplexFloat32));

        var error = Assert.Throws<ArgumentException>(() => SafetensorsFile.Write(path, dict));

        Assert.Contains("'complex'", error.Message);
        Assert.Equal("previous", File.ReadAllText(path));
    }

    [Theory]
    [InlineData("too short", "short")]
    [InlineData("header longer than the file", "does not fit in a file")]
    [InlineData("not json", "not valid JSON")]
    [InlineData("not an object", "not a JSON object")]
    [InlineData("unknown dtype", "unsupported dtype 'F8'")]
    [InlineData("size mismatch", "'w' is F32 [2, 2] = 16 bytes but data_offsets [0, 12] span 12")]
    [InlineData("overlap", "overlaps the previous tensor")]
    [InlineData("gap", "leaving a gap after 8")]
    [InlineData("truncated data", "truncated?")]
    [InlineData("trailing data", "cover 8 data bytes but the file has 12")]
    [InlineData("duplicate name", "names 'w' twice")]
    [InlineData("negative shape", "not a non-negative integer: -1")]
    [InlineData("metadata not string", "__metadata__ value of 'n' is Number")]
    [InlineData("offsets reversed", "end before they begin")]
    [InlineData("huge shape", "too large to address")]
    public void Should_refuse_an_invalid_file_with_a_message_naming_the_problem(string problem, string message)
    {
        using var temp = new TempDirectory();
        var path = temp.File("bad.safetensors");
        File.WriteAllBytes(path, problem switch
        {
            "too short" => [1, 2, 3],
            "header longer than the file" => WithLength(1000, "{}"),
            "not json" => Craft("{\"w\": [", 0),
            "not an object" => Craft("[1,2]", 0),
            "unknown dtype" => Craft("""{"w":{"dtype":"F8","shape":[2],"data_offsets":[0,2]}}""", 2),
            "size mismatch" => Craft("""{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,12]}}""", 12),
            "overlap" => Craft("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8),
            "gap" => Craft("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[12,16]}}""", 16),
            "truncated data" => Craft("""{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}""", 8),
            "trailing data" => Craft("""{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", 12),
            "duplicate name" => Craft("""{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"w":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}""", 2),
            "negative shape" => Craft("""{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}}""", 0),
            "metadata not string" => Craft("""{"__metadata__":{"n":1},"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}""", 1),
            "offsets reversed" => Craft("""{"w":{"dtype":"U8","shape":[0],"data_offsets":[4,0]}}""", 4),
            "huge shape" => Craft("""{"w":{"dtype":"F64","shape":[4294967296,4294967296],"data_offsets":[0,8]}}""", 8),
            _ => throw new ArgumentOutOfRangeException(nameof(problem)),
        });

        var error = Assert.Throws<CheckpointFormatException>(() => SafetensorsFile.Read(path));

        Assert.Contains(message, error.Message);
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void Should_refuse_boolean_bytes_other_than_zero_and_one()
    {
        using var temp = new TempDirectory();
        var path = temp.File("bool.safetensors");
        var bytes = Craft("""{"b":{"dtype":"BOOL","shape":[2],"data_offsets":[0,2]}}""", 2);
        bytes[^1] = 7;
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<CheckpointFormatException>(() => SafetensorsFile.Read(path));

        Assert.Contains("'b'", error.Message);
        Assert.Contains("0x07", error.Message);
    }

    private static byte[] Craft(string header, int dataBytes) => WithLength((ulong)Encoding.UTF8.GetByteCount(header), header, dataBytes);

    private static byte[] WithLength(ulong length, string header, int dataBytes = 0)
    {
        var json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, length);
        json.CopyTo(bytes, 8);
        return bytes;
    }
}
