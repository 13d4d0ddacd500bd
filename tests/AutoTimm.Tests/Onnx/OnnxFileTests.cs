using AutoTimm.Models.Checkpoints;
using AutoTimm.Models.Onnx;
using AutoTimm.Tests.Fixtures;
using Google.Protobuf;
using Onnx;

namespace AutoTimm.Tests.Onnx;

/// <summary>ONNX files as the onnx package writes them (tools/onnx/make_onnx_fixtures.py), with weights inside and beside the graph.</summary>
public sealed class OnnxFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("onnx-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Should_read_the_graph_and_load_external_weights_equal_to_the_embedded_ones()
    {
        var embedded = OnnxFile.Read(FixturePaths.Onnx("tiny_cnn.onnx"));
        var external = OnnxFile.Read(FixturePaths.Onnx("tiny_cnn_external.onnx"));

        Assert.Equal(["Conv", "Relu", "GlobalAveragePool", "Flatten", "Gemm"], embedded.Graph.Node.Select(n => n.OpType));
        Assert.Equal("", embedded.Graph.Node[0].Name); // node names can be empty: outputs name the layers
        Assert.Equal([1L, 1, 1, 1], embedded.Graph.Node[0].Attribute.Single(a => a.Name == "pads").Ints);
        Assert.Equal(13, embedded.OpsetImport.Single(o => o.Domain == "").Version);
        Assert.Equal(["conv.weight", "conv.bias", "fc.weight", "fc.bias"], external.Graph.Initializer.Select(t => t.Name));
        foreach (var (inside, beside) in embedded.Graph.Initializer.Zip(external.Graph.Initializer))
        {
            Assert.Equal(inside.Dims, beside.Dims);
            Assert.Equal(inside.RawData.ToByteArray(), beside.RawData.ToByteArray());
            Assert.Equal(TensorProto.Types.DataLocation.Default, beside.DataLocation);
        }
        Assert.Equal(4 * 3 * 3 * 3 * 4, external.Graph.Initializer[0].RawData.Length);
    }

    /// <summary>The external-data model with one entry of conv.weight's external_data changed, saved beside the data file.</summary>
    private string WithExternal(string key, string value)
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(FixturePaths.Onnx("tiny_cnn_external.onnx")));
        var entries = model.Graph.Initializer[0].ExternalData;
        var entry = entries.FirstOrDefault(e => e.Key == key);
        if (entry is null) entries.Add(new StringStringEntryProto { Key = key, Value = value });
        else entry.Value = value;
        File.Copy(FixturePaths.Onnx("tiny_cnn_external.bin"), Path.Combine(_dir, "tiny_cnn_external.bin"), overwrite: true);
        var path = Path.Combine(_dir, $"{key}.onnx");
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }

    [Theory]
    [InlineData("location", "../tiny_cnn_external.bin", "outside the model's folder")]
    [InlineData("location", "/etc/passwd", "outside the model's folder")]
    [InlineData("length", "10", "declares 10 bytes of external data but its type and shape [4, 3, 3, 3] need 432")]
    [InlineData("offset", "400", "reads bytes 400..832 of 'tiny_cnn_external.bin', which has 488")]
    [InlineData("offset", "-1", "offset '-1', not a non-negative integer")]
    public void Should_refuse_external_data_that_does_not_match_what_the_file_declares(string key, string value, string message)
    {
        var path = WithExternal(key, value);

        var error = Assert.Throws<CheckpointFormatException>(() => OnnxFile.Read(path));

        Assert.Contains("tensor 'conv.weight'", error.Message);
        Assert.Contains(message, error.Message);
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void Should_refuse_external_data_behind_a_link_that_leaves_the_models_folder()
    {
        var outside = Path.Combine(Directory.CreateTempSubdirectory("onnx-outside-").FullName, "secret.bin");
        File.WriteAllBytes(outside, new byte[488]);
        var path = WithExternal("location", "link.bin");
        File.CreateSymbolicLink(Path.Combine(_dir, "link.bin"), outside);
        try
        {
            Assert.Contains("outside the model's folder", Assert.Throws<CheckpointFormatException>(() => OnnxFile.Read(path)).Message);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(outside)!, recursive: true);
        }
    }

    [Fact]
    public void Should_name_the_file_that_is_not_an_onnx_model()
    {
        var garbage = Path.Combine(_dir, "garbage.onnx");
        File.WriteAllBytes(garbage, [0xff, 0xff, 0xff, 0xff, 0x0f]);
        var empty = Path.Combine(_dir, "empty-graph.onnx");
        File.WriteAllBytes(empty, new ModelProto { IrVersion = 8 }.ToByteArray());

        Assert.Contains(garbage, Assert.Throws<CheckpointFormatException>(() => OnnxFile.Read(garbage)).Message);
        Assert.Contains("has no graph", Assert.Throws<CheckpointFormatException>(() => OnnxFile.Read(empty)).Message);
    }
}
