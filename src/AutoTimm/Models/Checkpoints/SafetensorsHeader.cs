using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Unicode;
using TorchSharp;

namespace AutoTimm.Models.Checkpoints;

/// <summary>One tensor's entry in a safetensors header.</summary>
internal sealed record SafetensorsEntry(string Name, string DType, torch.ScalarType Type, int ElementSize, long[] Shape, long Begin, long End)
{
    public long ByteLength => End - Begin;
}

/// <summary>
/// A parsed and fully validated safetensors header: every check of the reference implementation runs before any
/// tensor memory is allocated.
/// </summary>
internal sealed class SafetensorsHeader
{
    /// <summary>The reference implementation's limit on the JSON header.</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private const string MetadataKey = "__metadata__";

    private SafetensorsHeader(IReadOnlyList<SafetensorsEntry> entries, IReadOnlyDictionary<string, string> metadata, long dataStart)
    {
        Entries = entries;
        Metadata = metadata;
        DataStart = dataStart;
    }

    /// <summary>Tensor entries in header order.</summary>
    public IReadOnlyList<SafetensorsEntry> Entries { get; }

    /// <summary>The <c>__metadata__</c> strings (empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>File offset of the data buffer (8 + header length).</summary>
    public long DataStart { get; }

    /// <summary>Reads and validates the header of a safetensors stream of known length, positioned at 0.</summary>
    /// <exception cref="CheckpointFormatException">Anything about the header or the layout it describes is wrong.</exception>
    public static SafetensorsHeader Read(Stream stream, long fileLength, string source)
    {
        if (fileLength < 8)
            throw Error(source, $"the file is {fileLength} bytes, too short for the 8-byte header length");
        Span<byte> prefix = stackalloc byte[8];
        stream.ReadExactly(prefix);
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength < 2 || headerLength > (ulong)(fileLength - 8))
            throw Error(source, $"the header length {headerLength} does not fit in a file of {fileLength} bytes");
        if (headerLength > MaxHeaderBytes)
            throw Error(source, $"the header length {headerLength} exceeds the limit of {MaxHeaderBytes} bytes");
        var json = new byte[(int)headerLength];
        stream.ReadExactly(json);
        var dataStart = 8 + (long)headerLength;
        return Parse(json, fileLength - dataStart, dataStart, source);
    }

    private static SafetensorsHeader Parse(byte[] json, long bufferLength, long dataStart, string source)
    {
        if (!Utf8.IsValid(json)) throw Error(source, "the header is not valid UTF-8");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            throw Error(source, $"the header is not valid JSON ({e.Message})", e);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw Error(source, "the header is not a JSON object");
            var names = new HashSet<string>(StringComparer.Ordinal);
            var entries = new List<SafetensorsEntry>();
            IReadOnlyDictionary<string, string> metadata = new Dictionary<string, string>();
            foreach (var property in root.EnumerateObject())
            {
                if (!names.Add(property.Name)) throw Error(source, $"the header names '{property.Name}' twice");
                if (property.Name == MetadataKey) metadata = ParseMetadata(property.Value, source);
                else entries.Add(ParseEntry(property.Name, property.Value, source));
            }
            CheckLayout(entries, bufferLength, source);
            return new SafetensorsHeader(entries, metadata, dataStart);
        }
    }

    private static Dictionary<string, string> ParseMetadata(JsonElement value, string source)
    {
        if (value.ValueKind != JsonValueKind.Object) throw Error(source, "__metadata__ is not a JSON object");
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
                throw Error(source, $"__metadata__ value of '{item.Name}' is {item.Value.ValueKind}, not a string");
            if (!metadata.TryAdd(item.Name, item.Value.GetString()!))
                throw Error(source, $"__metadata__ names '{item.Name}' twice");
        }
        return metadata;
    }

    private static SafetensorsEntry ParseEntry(string name, JsonElement value, string source)
    {
        if (name.Length == 0) throw Error(source, "a tensor has an empty name");
        if (value.ValueKind != JsonValueKind.Object) throw Error(source, $"the entry of tensor '{name}' is not a JSON object");
        if (!value.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
            throw Error(source, $"tensor '{name}' has no dtype string");
        var dtype = dtypeElement.GetString()!;
        if (!TensorDTypes.TryFromCode(dtype, out var type, out var size))
            throw Error(source, $"tensor '{name}' has unsupported dtype '{dtype}' (supported: {string.Join(", ", TensorDTypes.Codes)})");
        var shape = ReadIntegers(value, "shape", name, source);
        var offsets = ReadIntegers(value, "data_offsets", name, source);
        if (offsets.Length != 2) throw Error(source, $"tensor '{name}' has {offsets.Length} data_offsets instead of 2");
        var (begin, end) = (offsets[0], offsets[1]);
        if (end < begin) throw Error(source, $"tensor '{name}' has data_offsets [{begin}, {end}] that end before they begin");
        long expected;
        try
        {
            expected = checked(TensorDTypes.NumberOfElements(shape) * size);
        }
        catch (OverflowException)
        {
            throw Error(source, $"tensor '{name}' has shape [{string.Join(", ", shape)}] too large to address");
        }
        if (expected != end - begin)
            throw Error(source, $"tensor '{name}' is {dtype} [{string.Join(", ", shape)}] = {expected} bytes but data_offsets [{begin}, {end}] span {end - begin}");
        return new SafetensorsEntry(name, dtype, type, size, shape, begin, end);
    }

    private static long[] ReadIntegers(JsonElement entry, string key, string name, string source)
    {
        if (!entry.TryGetProperty(key, out var array) || array.ValueKind != JsonValueKind.Array)
            throw Error(source, $"tensor '{name}' has no {key} array");
        var values = new long[array.GetArrayLength()];
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out var v) || v < 0)
                throw Error(source, $"tensor '{name}' has a {key} element that is not a non-negative integer: {item.GetRawText()}");
            values[i++] = v;
        }
        return values;
    }

    /// <summary>Tensors must tile the data buffer exactly: no gap, no overlap, nothing left over.</summary>
    private static void CheckLayout(List<SafetensorsEntry> entries, long bufferLength, string source)
    {
        long expected = 0;
        foreach (var entry in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (entry.Begin != expected)
            {
                throw Error(source, entry.Begin < expected
                    ? $"tensor '{entry.Name}' at [{entry.Begin}, {entry.End}] overlaps the previous tensor (which ends at {expected})"
                    : $"tensor '{entry.Name}' starts at {entry.Begin}, leaving a gap after {expected}");
            }
            expected = entry.End;
        }
        if (expected != bufferLength)
        {
            throw Error(source, expected > bufferLength
                ? $"the tensors need {expected} data bytes but the file has {bufferLength} after the header (truncated?)"
                : $"the tensors cover {expected} data bytes but the file has {bufferLength} after the header");
        }
    }

    private static CheckpointFormatException Error(string source, string problem, Exception? inner = null) =>
        new($"Invalid safetensors file '{source}': {problem}.", inner);
}
