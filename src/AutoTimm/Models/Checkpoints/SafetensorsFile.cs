using System.Buffers.Binary;
using System.Text.Json;
using TorchSharp;

namespace AutoTimm.Models.Checkpoints;

/// <summary>
/// Reads and writes safetensors files: an 8-byte little-endian header length, a JSON header (tensor dtype, shape and
/// byte range, plus optional <c>__metadata__</c> strings) and the raw little-endian data. Nothing in the format executes.
/// </summary>
public static class SafetensorsFile
{
    /// <summary>Metadata key holding the AutoTimm <see cref="ModelConfig"/> JSON.</summary>
    public const string ConfigMetadataKey = "autotimm";

    /// <summary>Reads every tensor (on the CPU) and the metadata of a safetensors file.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The tensors in header order, with the model config when <c>__metadata__["autotimm"]</c> is present.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="CheckpointFormatException">The header or layout is invalid, checked before anything is allocated.</exception>
    public static Checkpoint Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = OpenRead(path);
        var header = SafetensorsHeader.Read(stream, stream.Length, path);
        var dict = new StateDict();
        try
        {
            foreach (var entry in header.Entries)
            {
                stream.Position = header.DataStart + entry.Begin;
                dict.Add(entry.Name, ReadTensor(stream, entry, path));
            }
            var config = header.Metadata.TryGetValue(ConfigMetadataKey, out var json) ? ReadConfig(json, path) : null;
            return new Checkpoint(path, CheckpointFormat.Safetensors, dict, config, header.Metadata, null, null, []);
        }
        catch
        {
            dict.Dispose();
            throw;
        }
    }

    /// <summary>Reads only the <c>__metadata__</c> strings of a safetensors file (the header is validated in full).</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="CheckpointFormatException">The header or layout is invalid.</exception>
    public static IReadOnlyDictionary<string, string> ReadMetadata(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = OpenRead(path);
        return SafetensorsHeader.Read(stream, stream.Length, path).Metadata;
    }

    /// <summary>
    /// Writes tensors and metadata atomically: the file is replaced only once complete, and a failure leaves any
    /// previous file untouched. Header order follows the dictionary; data is laid out by descending element size so
    /// every tensor is aligned, as the reference writer does.
    /// </summary>
    /// <param name="path">Target file.</param>
    /// <param name="tensors">Tensors to write (any device; copied to the CPU while writing).</param>
    /// <param name="metadata">Optional <c>__metadata__</c> strings.</param>
    /// <exception cref="ArgumentException">A tensor has an element type safetensors cannot hold, or a name is reserved.</exception>
    public static void Write(string path, StateDict tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(tensors);
        var entries = new List<(string Name, torch.Tensor Tensor, string Code, long Bytes, int Size)>();
        foreach (var (name, tensor) in tensors)
        {
            if (name == "__metadata__") throw new ArgumentException("'__metadata__' is reserved and cannot name a tensor.", nameof(tensors));
            if (!TensorDTypes.TryToCode(tensor.dtype, out var code, out var size))
                throw new ArgumentException($"Tensor '{name}' has element type {tensor.dtype}, which safetensors cannot hold (supported: {string.Join(", ", TensorDTypes.Codes)}).", nameof(tensors));
            entries.Add((name, tensor, code, checked(tensor.numel() * size), size));
        }
        if (metadata is not null)
        {
            foreach (var (key, value) in metadata)
            {
                ArgumentNullException.ThrowIfNull(key, nameof(metadata));
                ArgumentNullException.ThrowIfNull(value, nameof(metadata));
            }
        }

        var layout = entries.Select((e, i) => (Entry: e, Index: i)).OrderByDescending(x => x.Entry.Size).ThenBy(x => x.Index).Select(x => x.Entry).ToList();
        var offsets = new Dictionary<string, (long Begin, long End)>(StringComparer.Ordinal);
        long offset = 0;
        foreach (var e in layout)
        {
            offsets[e.Name] = (offset, checked(offset + e.Bytes));
            offset += e.Bytes;
        }
        var header = HeaderBytes(entries.Select(e => (e.Name, e.Code, e.Tensor.shape, offsets[e.Name])), metadata);

        AtomicFile.Write(path, stream =>
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
            stream.Write(length);
            stream.Write(header);
            foreach (var e in layout) TensorBytes.Write(stream, e.Tensor);
        });
    }

    /// <summary>Header JSON padded with spaces to a multiple of 8 bytes so the data buffer starts aligned.</summary>
    private static byte[] HeaderBytes(IEnumerable<(string Name, string Code, long[] Shape, (long Begin, long End) Range)> entries,
        IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject("__metadata__");
                foreach (var (key, value) in metadata) json.WriteString(key, value);
                json.WriteEndObject();
            }
            foreach (var (name, code, shape, range) in entries)
            {
                json.WriteStartObject(name);
                json.WriteString("dtype", code);
                json.WriteStartArray("shape");
                foreach (var d in shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(range.Begin);
                json.WriteNumberValue(range.End);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        while (buffer.Length % 8 != 0) buffer.WriteByte((byte)' ');
        return buffer.ToArray();
    }

    private static torch.Tensor ReadTensor(Stream stream, SafetensorsEntry entry, string path)
    {
        var numel = TensorDTypes.NumberOfElements(entry.Shape);
        torch.Tensor flat;
        try
        {
            flat = TensorBytes.Read(stream, entry.Type, entry.ElementSize, numel);
        }
        catch (EndOfStreamException e)
        {
            throw new CheckpointFormatException($"Invalid safetensors file '{path}': the data of tensor '{entry.Name}' is truncated.", e);
        }
        catch (CheckpointFormatException e)
        {
            throw new CheckpointFormatException($"Invalid safetensors file '{path}': tensor '{entry.Name}': {e.Message}", e);
        }
        using (flat)
        {
            return flat.reshape(entry.Shape);
        }
    }

    private static ModelConfig ReadConfig(string json, string path)
    {
        try
        {
            return ModelConfigJson.FromJson(json);
        }
        catch (CheckpointFormatException e)
        {
            throw new CheckpointFormatException($"'{path}': {e.Message}", e);
        }
    }

    internal static FileStream OpenRead(string path) => InputFile.OpenRead(path, "checkpoint");
}
