using AutoTimm.Training.Loggers;

namespace AutoTimm.Tests.Training;

public sealed class TensorBoardLoggerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tensorboard-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Should_name_the_tag_and_the_range_when_a_step_does_not_fit_the_event_writer()
    {
        var logger = new TensorBoardLogger(_dir);
        try
        {
            logger.LogScalar("loss/train", 0.5, 3);
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => logger.LogScalar("loss/train", 0.5, 1L << 31));
            Assert.Contains("TensorBoard tag 'loss/train': step 2147483648 is outside 0..2147483647", error.Message, StringComparison.Ordinal);
            Assert.Throws<ArgumentOutOfRangeException>(() => logger.LogText("notes", "x", -1));
        }
        finally
        {
            logger.Dispose();
        }
        Assert.NotEmpty(Directory.EnumerateFiles(_dir, "events.out.tfevents*", SearchOption.AllDirectories));
    }
}
