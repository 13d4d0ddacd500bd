using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using Google.Protobuf;

namespace AutoTimm.Training.Loggers;

/// <summary>
/// Writes a TensorBoard event file: scalars, PNG images, histograms and text, each an <c>Event</c> protocol buffer
/// framed as a TFRecord (length, masked CRC-32C of the length, data, masked CRC-32C of the data). Wall times and the
/// file name's timestamp are Unix seconds, as TensorBoard expects; steps are 64-bit.
/// </summary>
/// <remarks>
/// Records are written whole, unbuffered, and flushed to the operating system by <see cref="Flush"/>: TensorBoard can
/// read the file while it grows, and a killed run leaves every complete record readable.
/// </remarks>
public sealed class TensorBoardEventWriter : IDisposable
{
    private static int _files;
    private readonly FileStream _stream;
    private readonly Lock _gate = new();

    /// <summary>Creates <c>events.out.tfevents.&lt;unix seconds&gt;.&lt;host&gt;.&lt;pid&gt;.&lt;n&gt;</c> in <paramref name="directory"/>.</summary>
    public TensorBoardEventWriter(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory.CreateDirectory(directory);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Path = System.IO.Path.Combine(directory, string.Create(CultureInfo.InvariantCulture,
            $"events.out.tfevents.{now:D10}.{Environment.MachineName}.{Environment.ProcessId}.{Interlocked.Increment(ref _files)}"));
        _stream = new FileStream(Path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, bufferSize: 0);
        Write(Event(0, 3, ByteString.CopyFromUtf8("brain.Event:2")));
    }

    /// <summary>The event file.</summary>
    public string Path { get; }

    /// <summary>A scalar (TensorBoard's Scalars tab).</summary>
    public void WriteScalar(string tag, float value, long step) =>
        WriteSummary(step, Value(tag, o => { o.WriteTag(2, WireFormat.WireType.Fixed32); o.WriteFloat(value); }));

    /// <summary>An image, already encoded as PNG (the Images tab).</summary>
    public void WriteImage(string tag, byte[] png, int height, int width, int channels, long step)
    {
        ArgumentNullException.ThrowIfNull(png);
        var image = Message(o =>
        {
            o.WriteTag(1, WireFormat.WireType.Varint); o.WriteInt32(height);
            o.WriteTag(2, WireFormat.WireType.Varint); o.WriteInt32(width);
            o.WriteTag(3, WireFormat.WireType.Varint); o.WriteInt32(channels);
            o.WriteTag(4, WireFormat.WireType.LengthDelimited); o.WriteBytes(ByteString.CopyFrom(png));
        });
        WriteSummary(step, Value(tag, o => { o.WriteTag(4, WireFormat.WireType.LengthDelimited); o.WriteBytes(image); }));
    }

    /// <summary>
    /// A histogram of <paramref name="values"/> (the Histograms and Distributions tabs) in <paramref name="buckets"/>
    /// equal-width buckets between the smallest and largest finite value; non-finite values are left out.
    /// </summary>
    public void WriteHistogram(string tag, ReadOnlySpan<double> values, long step, int buckets = 30)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(buckets, 1);
        double min = double.PositiveInfinity, max = double.NegativeInfinity, sum = 0, squares = 0;
        int count = 0;
        foreach (var v in values)
        {
            if (!double.IsFinite(v)) continue;
            min = Math.Min(min, v);
            max = Math.Max(max, v);
            sum += v;
            squares += v * v;
            count++;
        }
        if (count == 0) min = max = 0;
        var limits = new double[buckets];
        var counts = new double[buckets];
        double width = (max - min) / buckets;
        for (int b = 0; b < buckets; b++) limits[b] = b == buckets - 1 || width == 0 ? max : min + (b + 1) * width;
        foreach (var v in values)
        {
            if (!double.IsFinite(v)) continue;
            int b = width == 0 ? 0 : Math.Min(buckets - 1, (int)((v - min) / width));
            counts[b]++;
        }
        var histogram = Message(o =>
        {
            foreach (var (field, value) in new[] { (1, min), (2, max), (3, (double)count), (4, sum), (5, squares) })
            {
                o.WriteTag(field, WireFormat.WireType.Fixed64);
                o.WriteDouble(value);
            }
            foreach (var (field, array) in new[] { (6, limits), (7, counts) })
            {
                o.WriteTag(field, WireFormat.WireType.LengthDelimited);
                o.WriteLength(array.Length * 8);
                foreach (var d in array) o.WriteDouble(d);
            }
        });
        WriteSummary(step, Value(tag, o => { o.WriteTag(5, WireFormat.WireType.LengthDelimited); o.WriteBytes(histogram); }));
    }

    /// <summary>Text (the Text tab, as markdown).</summary>
    public void WriteText(string tag, string text, long step)
    {
        ArgumentNullException.ThrowIfNull(text);
        // SummaryMetadata { plugin_data { plugin_name: "text" } } and a scalar DT_STRING tensor.
        var metadata = Message(o => { o.WriteTag(1, WireFormat.WireType.LengthDelimited); o.WriteBytes(Message(p => { p.WriteTag(1, WireFormat.WireType.LengthDelimited); p.WriteString("text"); })); });
        var tensor = Message(o =>
        {
            o.WriteTag(1, WireFormat.WireType.Varint); o.WriteInt32(7);
            o.WriteTag(2, WireFormat.WireType.LengthDelimited); o.WriteBytes(Message(s => { s.WriteTag(2, WireFormat.WireType.LengthDelimited); s.WriteBytes(Message(d => { d.WriteTag(1, WireFormat.WireType.Varint); d.WriteInt64(1); })); }));
            o.WriteTag(8, WireFormat.WireType.LengthDelimited); o.WriteBytes(ByteString.CopyFromUtf8(text));
        });
        WriteSummary(step, Value(tag, o =>
        {
            o.WriteTag(9, WireFormat.WireType.LengthDelimited); o.WriteBytes(metadata);
            o.WriteTag(8, WireFormat.WireType.LengthDelimited); o.WriteBytes(tensor);
        }));
    }

    /// <summary>Flushes written records to the operating system.</summary>
    public void Flush()
    {
        lock (_gate) _stream.Flush();
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _stream.Dispose();

    private void WriteSummary(long step, ByteString value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        var summary = Message(o => { o.WriteTag(1, WireFormat.WireType.LengthDelimited); o.WriteBytes(value); });
        Write(Event(step, 5, summary));
    }

    // Event { double wall_time = 1; int64 step = 2; <field> }
    private static ByteString Event(long step, int field, ByteString payload) => Message(o =>
    {
        o.WriteTag(1, WireFormat.WireType.Fixed64);
        o.WriteDouble(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0);
        o.WriteTag(2, WireFormat.WireType.Varint);
        o.WriteInt64(step);
        o.WriteTag(field, WireFormat.WireType.LengthDelimited);
        o.WriteBytes(payload);
    });

    // Summary.Value { string tag = 1; <value> }
    private static ByteString Value(string tag, Action<CodedOutputStream> value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tag);
        return Message(o => { o.WriteTag(1, WireFormat.WireType.LengthDelimited); o.WriteString(tag); value(o); });
    }

    private static ByteString Message(Action<CodedOutputStream> write)
    {
        using var memory = new MemoryStream();
        using (var output = new CodedOutputStream(memory, leaveOpen: true)) write(output);
        return ByteString.CopyFrom(memory.ToArray());
    }

    // A TFRecord: uint64 length, masked CRC-32C of the length, the data, masked CRC-32C of the data.
    private void Write(ByteString data)
    {
        var bytes = data.ToByteArray();
        var record = new byte[8 + 4 + bytes.Length + 4];
        BinaryPrimitives.WriteUInt64LittleEndian(record, (ulong)bytes.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(8), MaskedCrc(record.AsSpan(0, 8)));
        bytes.CopyTo(record, 12);
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(12 + bytes.Length), MaskedCrc(bytes));
        lock (_gate) _stream.Write(record);
    }

    /// <summary>TFRecord's masked CRC-32C (Castagnoli).</summary>
    internal static uint MaskedCrc(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (var b in data) crc = BitOperations.Crc32C(crc, b);
        crc = ~crc;
        return unchecked(((crc >> 15) | (crc << 17)) + 0xa282ead8);
    }
}
