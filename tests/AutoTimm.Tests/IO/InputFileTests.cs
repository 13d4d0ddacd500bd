using System.Diagnostics;
using AutoTimm.Imaging;
using AutoTimm.Training;

namespace AutoTimm.Tests.IO;

/// <summary>Input files are refused by type and bounded by size before anything is read into memory.</summary>
public sealed class InputFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("input-file-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("/dev/zero", "character device")]
    [InlineData("/dev/null", "character device")]
    public void Should_refuse_a_device_by_type_without_reading_it(string path, string kind)
    {
        var error = Assert.Throws<FileNotFoundException>(() => ImageIO.Load(path));
        Assert.Equal($"image path {path} is a {kind}, not a regular file", error.Message);
        // A link to a device is the device.
        var link = Path.Combine(_dir, "input.npy");
        File.CreateSymbolicLink(link, path);
        Assert.Contains("character device", Assert.Throws<FileNotFoundException>(() => Npy.Load(link)).Message, StringComparison.Ordinal);
        Assert.Contains("character device", Assert.Throws<FileNotFoundException>(() => ImageInput.FromFile(link).ToModelInput(PreprocessConfig.ImageNet)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_refuse_a_fifo_instead_of_blocking_on_it()
    {
        var fifo = Path.Combine(_dir, "pipe.png");
        using (var mkfifo = Process.Start("mkfifo", fifo)) await mkfifo.WaitForExitAsync();
        var error = await Task.Run(() => Assert.Throws<FileNotFoundException>(() => ImageIO.Load(fifo))).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Contains("FIFO", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_name_the_file_and_the_limit_when_a_file_is_too_large()
    {
        var path = Path.Combine(_dir, "big.png");
        File.WriteAllBytes(path, new byte[4096]);
        var error = Assert.Throws<InvalidDataException>(() => InputFile.ReadAllBytes(path, "image", maxBytes: 1000));
        Assert.Equal($"image file {path} is 4,096 bytes, over the 1,000-byte limit for input files; set AUTOTIMM_MAX_INPUT_BYTES to allow more", error.Message);
        Assert.Equal(4096, InputFile.ReadAllBytes(path, "image", maxBytes: 4096).Length);
    }

    [Fact]
    public void Should_bound_what_is_read_from_files_that_claim_no_size()
    {
        // /proc files report length 0 and still have content: read, and bounded by what is actually read.
        Assert.NotEmpty(InputFile.ReadAllBytes("/proc/self/status", "array"));
        Assert.Contains("at least", Assert.Throws<InvalidDataException>(() => InputFile.ReadAllBytes("/proc/self/status", "array", maxBytes: 10)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_say_what_is_missing_for_empty_missing_and_directory_paths()
    {
        Assert.Equal("no image file given: the path is empty", Assert.Throws<ArgumentException>(() => ImageInput.FromFile("")).Message);
        Assert.Equal("image file not found: /proc/foo", Assert.Throws<FileNotFoundException>(() => ImageIO.Load("/proc/foo")).Message);
        Assert.Equal($"checkpoint path {_dir} is a directory, not a file", Assert.Throws<FileNotFoundException>(() => InputFile.OpenRead(_dir, "checkpoint")).Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Should_check_the_thread_count_before_libtorch_sees_it(int threads)
    {
        // libtorch aborts the process on a thread count below 1.
        var error = Assert.Throws<ArgumentException>(() => new TrainingRun { Threads = threads }.Validate());
        Assert.Equal($"--threads is {threads}; it must lie in 1..1024", error.Message);
        Assert.Equal("--lr is NaN; it must be a finite number in 5E-324..10", Assert.Throws<ArgumentException>(() => new TrainingRun { LearningRate = double.NaN }.Validate()).Message);
        new TrainingRun().Validate();
    }
}
