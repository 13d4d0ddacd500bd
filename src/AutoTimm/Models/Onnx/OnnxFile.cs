using System.Globalization;
using AutoTimm.Models.Checkpoints;
using Google.Protobuf;
using Onnx;

namespace AutoTimm.Models.Onnx;

/// <summary>
/// Reads an ONNX model file into its protocol buffers, with every external-data tensor (the weights that models over
/// 2 GB keep beside the graph) read into the tensor, after checking what the file declares about those bytes: the
/// location stays inside the model's folder, the range lies inside the data file, and the length is what the tensor's
/// type and shape need.
/// </summary>
internal static class OnnxFile
{
    /// <summary>Reads and checks <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">The model file does not exist.</exception>
    /// <exception cref="CheckpointFormatException">The file is not a valid ONNX model; the message names the file, the field and the problem.</exception>
    public static ModelProto Read(string path)
    {
        var bytes = InputFile.ReadAllBytes(path, "ONNX model");
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw Error(path, $"it is not an ONNX protocol buffer ({e.Message})", e);
        }
        if (model.Graph is null) throw Error(path, "it has no graph (ModelProto.graph is missing)");
        if (model.IrVersion <= 0) throw Error(path, $"ir_version is {model.IrVersion}; an ONNX model declares its IR version");
        if (!model.OpsetImport.Any(o => o.Domain is "" or "ai.onnx"))
            throw Error(path, "opset_import names no version of the default operator set (domain \"\" or ai.onnx)");
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        foreach (var tensor in model.Graph.Initializer) LoadExternal(tensor, folder, path);
        foreach (var node in model.Graph.Node)
            foreach (var attribute in node.Attribute)
                if (attribute.T is { } t) LoadExternal(t, folder, path);
        return model;
    }

    /// <summary>Bytes per element of an ONNX tensor data type, or null for types without a fixed size (strings).</summary>
    public static int? ElementSize(int dataType) => (TensorProto.Types.DataType)dataType switch
    {
        TensorProto.Types.DataType.Uint8 or TensorProto.Types.DataType.Int8 or TensorProto.Types.DataType.Bool => 1,
        TensorProto.Types.DataType.Uint16 or TensorProto.Types.DataType.Int16 or TensorProto.Types.DataType.Float16 or TensorProto.Types.DataType.Bfloat16 => 2,
        TensorProto.Types.DataType.Float or TensorProto.Types.DataType.Int32 or TensorProto.Types.DataType.Uint32 => 4,
        TensorProto.Types.DataType.Double or TensorProto.Types.DataType.Int64 or TensorProto.Types.DataType.Uint64 or TensorProto.Types.DataType.Complex64 => 8,
        TensorProto.Types.DataType.Complex128 => 16,
        _ => null,
    };

    private static void LoadExternal(TensorProto tensor, string folder, string path)
    {
        if (tensor.DataLocation != TensorProto.Types.DataLocation.External) return;
        string what = $"tensor '{tensor.Name}'";
        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in tensor.ExternalData)
            if (!entries.TryAdd(entry.Key, entry.Value)) throw Error(path, $"{what} names external_data key '{entry.Key}' twice");
        if (!entries.TryGetValue("location", out var location) || location.Length == 0)
            throw Error(path, $"{what} is stored externally but names no location");
        var file = Path.GetFullPath(Path.Combine(folder, location));
        string Outside() => $"{what} is stored at '{location}', outside the model's folder; external data must lie beside the model";
        if (Path.IsPathRooted(location) || !file.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal)) throw Error(path, Outside());
        if (!File.Exists(file)) throw Error(path, $"{what} is stored in '{location}', which is not a file beside the model");
        // Followed through symbolic links too: a link beside the model must not read a file elsewhere.
        var target = new FileInfo(file).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? file;
        if (!target.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal)) throw Error(path, Outside());
        long offset = Number(entries, "offset", 0, what, path);
        var size = ElementSize(tensor.DataType) ?? throw Error(path, $"{what} has data type {tensor.DataType}, which cannot be stored externally as raw bytes");
        if (tensor.Dims.Any(d => d < 0)) throw Error(path, $"{what} has a negative dimension in [{string.Join(", ", tensor.Dims)}]");
        long needed;
        try
        {
            needed = checked(tensor.Dims.Aggregate(1L, (product, dim) => product * dim) * size);
        }
        catch (OverflowException)
        {
            throw Error(path, $"{what} has a shape [{string.Join(", ", tensor.Dims)}] too large to address");
        }
        long length = Number(entries, "length", needed, what, path);
        if (length != needed)
            throw Error(path, $"{what} declares {length} bytes of external data but its type and shape [{string.Join(", ", tensor.Dims)}] need {needed}");
        using var stream = InputFile.OpenRead(file, "ONNX external data");
        if (offset > stream.Length || length > stream.Length - offset)
            throw Error(path, $"{what} reads bytes {offset}..{offset + length} of '{location}', which has {stream.Length}");
        if (length > int.MaxValue) throw Error(path, $"{what} is {length} bytes, more than one tensor can be read into");
        var data = new byte[length];
        stream.Position = offset;
        stream.ReadExactly(data);
        tensor.RawData = ByteString.CopyFrom(data);
        tensor.ExternalData.Clear();
        tensor.DataLocation = TensorProto.Types.DataLocation.Default;
    }

    private static long Number(Dictionary<string, string> entries, string key, long fallback, string what, string path)
    {
        if (!entries.TryGetValue(key, out var text)) return fallback;
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Error(path, $"{what} has external_data {key} '{text}', not a non-negative integer");
    }

    private static CheckpointFormatException Error(string path, string problem, Exception? inner = null) => new($"Invalid ONNX file '{path}': {problem}.", inner);
}
