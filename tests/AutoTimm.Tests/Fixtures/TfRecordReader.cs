using System.Buffers.Binary;
using Google.Protobuf;

namespace AutoTimm.Tests.Fixtures;

/// <summary>
/// Reads TensorBoard event files independently of the writer: TFRecord framing checked against a bit-by-bit CRC-32C,
/// and protocol buffer messages decoded field by field.
/// </summary>
internal static class TfRecordReader
{
    /// <summary>CRC-32C bit by bit (reflected polynomial 0x82F63B78).</summary>
    public static uint Crc32C(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (var b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78 : crc >> 1;
        }
        return ~crc;
    }

    /// <summary>TFRecord's mask of a CRC-32C.</summary>
    public static uint Masked(ReadOnlySpan<byte> data)
    {
        var crc = Crc32C(data);
        return unchecked(((crc >> 15) | (crc << 17)) + 0xa282ead8);
    }

    /// <summary>The records of a TFRecord file, each checked against its two checksums.</summary>
    public static List<byte[]> Records(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var records = new List<byte[]>();
        for (int at = 0; at < bytes.Length;)
        {
            var length = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(at));
            Assert.Equal(Masked(bytes.AsSpan(at, 8)), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 8)));
            var data = bytes.AsSpan(at + 12, length).ToArray();
            Assert.Equal(Masked(data), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 12 + length)));
            records.Add(data);
            at += 12 + length + 4;
        }
        return records;
    }

    /// <summary>The fields of one message: field number to its values (numbers as double or long, messages and strings as bytes).</summary>
    public static Dictionary<int, List<object>> Fields(byte[] message)
    {
        var fields = new Dictionary<int, List<object>>();
        var input = new CodedInputStream(message);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            object value = WireFormat.GetTagWireType(tag) switch
            {
                WireFormat.WireType.Fixed64 => input.ReadDouble(),
                WireFormat.WireType.Fixed32 => (double)input.ReadFloat(),
                WireFormat.WireType.Varint => input.ReadInt64(),
                WireFormat.WireType.LengthDelimited => input.ReadBytes().ToByteArray(),
                var other => throw new InvalidDataException($"unexpected wire type {other}"),
            };
            int field = WireFormat.GetTagFieldNumber(tag);
            if (!fields.TryGetValue(field, out var list)) fields[field] = list = [];
            list.Add(value);
        }
        return fields;
    }

    /// <summary>The summary values of an event file as (step, tag, value fields); the file-version event is skipped.</summary>
    public static List<(long Step, string Tag, Dictionary<int, List<object>> Value)> Values(string path) =>
        Records(path).Select(Fields).Where(e => e.ContainsKey(5))
            .SelectMany(e => Fields((byte[])e[5][0])[1].Select(v => Fields((byte[])v))
                .Select(v => ((long)e[2][0], System.Text.Encoding.UTF8.GetString((byte[])v[1][0]), v)))
            .ToList();
}
