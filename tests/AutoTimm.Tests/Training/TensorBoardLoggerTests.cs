using System.Buffers.Binary;
using AutoTimm.Imaging;
using AutoTimm.Training.Loggers;
using Google.Protobuf;
using static TorchSharp.torch;

namespace AutoTimm.Tests.Training;

public sealed class TensorBoardLoggerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tensorboard-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // CRC-32C bit by bit (reflected polynomial 0x82F63B78), independent of the writer's.
    private static uint Crc32C(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (var b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78 : crc >> 1;
        }
        return ~crc;
    }

    private static uint Masked(ReadOnlySpan<byte> data)
    {
        var crc = Crc32C(data);
        return unchecked(((crc >> 15) | (crc << 17)) + 0xa282ead8);
    }

    /// <summary>The records of a TFRecord file, each checked against its two checksums.</summary>
    private static List<byte[]> Records(string path)
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

    /// <summary>The fields of one protocol buffer message: field number to its values (numbers as double/long, messages as bytes).</summary>
    private static Dictionary<int, List<object>> Fields(byte[] message)
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

    [Fact]
    public void Should_compute_the_masked_crc32c_of_tfrecord()
    {
        // The CRC-32C check value of "123456789".
        Assert.Equal(0xE3069283u, Crc32C("123456789"u8));
        Assert.Equal(Masked("123456789"u8), TensorBoardEventWriter.MaskedCrc("123456789"u8));
    }

    [Fact]
    public void Should_write_events_tensorboard_reads_with_unix_times_and_64_bit_steps()
    {
        long before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        using var image = rand(3, 5, 7, generator: new TorchSharp.torch.Generator(3));
        using var values = arange(0, 100, dtype: ScalarType.Float64);
        string file;
        using (var logger = new TensorBoardLogger(_dir))
        {
            logger.LogScalar("loss/train", 0.25, (1L << 31) + 5);
            logger.LogImage("explanations/sample0", image, 7);
            logger.LogHistogram("features/layer2", values, 7);
            logger.LogText("notes", "**bold** note", 8);
            Assert.Contains("'notes'", Assert.Throws<ArgumentOutOfRangeException>(() => logger.LogText("notes", "x", -1)).Message);
            logger.Flush();
            file = logger.EventFile;
        }
        long after = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        // The file name carries Unix seconds, as TensorBoard sorts runs by it.
        var parts = Path.GetFileName(file).Split('.');
        Assert.Equal("events.out.tfevents", string.Join('.', parts[..3]));
        Assert.InRange(long.Parse(parts[3]), before, after);
        var events = Records(file).Select(Fields).ToList();
        Assert.Equal(5, events.Count);
        Assert.All(events, e => Assert.InRange((double)e[1][0], before, after + 1));
        Assert.Equal("brain.Event:2", System.Text.Encoding.UTF8.GetString((byte[])events[0][3][0]));

        Dictionary<int, List<object>> ValueOf(Dictionary<int, List<object>> e) => Fields((byte[])Fields((byte[])e[5][0])[1][0]);
        var scalar = ValueOf(events[1]);
        Assert.Equal((1L << 31) + 5, (long)events[1][2][0]);
        Assert.Equal("loss/train", System.Text.Encoding.UTF8.GetString((byte[])scalar[1][0]));
        Assert.Equal(0.25, (double)scalar[2][0]);

        var picture = Fields((byte[])ValueOf(events[2])[4][0]);
        Assert.Equal((5L, 7L, 3L), ((long)picture[1][0], (long)picture[2][0], (long)picture[3][0]));
        var decoded = ImageIO.Load((byte[])picture[4][0]);
        Assert.Equal(RgbImage.FromTensor(image).ToTensor().data<float>().ToArray(), decoded.ToTensor().data<float>().ToArray());

        var histogram = Fields((byte[])ValueOf(events[3])[5][0]);
        Assert.Equal((0.0, 99.0, 100.0, 4950.0), ((double)histogram[1][0], (double)histogram[2][0], (double)histogram[3][0], (double)histogram[4][0]));
        var counts = (byte[])histogram[7][0];
        Assert.Equal(100.0, Enumerable.Range(0, counts.Length / 8).Sum(i => BitConverter.ToDouble(counts, i * 8)));

        var text = ValueOf(events[4]);
        var tensor = Fields((byte[])text[8][0]);
        Assert.Equal("**bold** note", System.Text.Encoding.UTF8.GetString((byte[])tensor[8][0]));
        Assert.Equal("text", System.Text.Encoding.UTF8.GetString((byte[])Fields((byte[])Fields((byte[])text[9][0])[1][0])[1][0]));
    }
}
