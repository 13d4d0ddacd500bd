using AutoTimm.Imaging;
using AutoTimm.Training.Loggers;
using AutoTimm.Tests.Fixtures;
using static TorchSharp.torch;

namespace AutoTimm.Tests.Training;

public sealed class TensorBoardLoggerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tensorboard-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Should_compute_the_masked_crc32c_of_tfrecord()
    {
        // The CRC-32C check value of "123456789".
        Assert.Equal(0xE3069283u, TfRecordReader.Crc32C("123456789"u8));
        Assert.Equal(TfRecordReader.Masked("123456789"u8), TensorBoardEventWriter.MaskedCrc("123456789"u8));
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
        var events = TfRecordReader.Records(file).Select(TfRecordReader.Fields).ToList();
        Assert.Equal(5, events.Count);
        Assert.All(events, e => Assert.InRange((double)e[1][0], before, after + 1));
        Assert.Equal("brain.Event:2", System.Text.Encoding.UTF8.GetString((byte[])events[0][3][0]));

        Dictionary<int, List<object>> ValueOf(Dictionary<int, List<object>> e) => TfRecordReader.Fields((byte[])TfRecordReader.Fields((byte[])e[5][0])[1][0]);
        var scalar = ValueOf(events[1]);
        Assert.Equal((1L << 31) + 5, (long)events[1][2][0]);
        Assert.Equal("loss/train", System.Text.Encoding.UTF8.GetString((byte[])scalar[1][0]));
        Assert.Equal(0.25, (double)scalar[2][0]);

        var picture = TfRecordReader.Fields((byte[])ValueOf(events[2])[4][0]);
        Assert.Equal((5L, 7L, 3L), ((long)picture[1][0], (long)picture[2][0], (long)picture[3][0]));
        var decoded = ImageIO.Load((byte[])picture[4][0]);
        Assert.Equal(RgbImage.FromTensor(image).ToTensor().data<float>().ToArray(), decoded.ToTensor().data<float>().ToArray());

        var histogram = TfRecordReader.Fields((byte[])ValueOf(events[3])[5][0]);
        Assert.Equal((0.0, 99.0, 100.0, 4950.0), ((double)histogram[1][0], (double)histogram[2][0], (double)histogram[3][0], (double)histogram[4][0]));
        var counts = (byte[])histogram[7][0];
        Assert.Equal(100.0, Enumerable.Range(0, counts.Length / 8).Sum(i => BitConverter.ToDouble(counts, i * 8)));

        var text = ValueOf(events[4]);
        var tensor = TfRecordReader.Fields((byte[])text[8][0]);
        Assert.Equal("**bold** note", System.Text.Encoding.UTF8.GetString((byte[])tensor[8][0]));
        Assert.Equal("text", System.Text.Encoding.UTF8.GetString((byte[])TfRecordReader.Fields((byte[])TfRecordReader.Fields((byte[])text[9][0])[1][0])[1][0]));
    }
}
