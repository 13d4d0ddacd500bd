using AutoTimm.Tests.Fixtures;
using AutoTimm.Tests.Imaging;

namespace AutoTimm.Tests.IO;

public sealed class AtomicFileTests
{
    [Fact]
    public void Should_keep_the_old_file_and_leave_no_temporary_file_when_writing_fails()
    {
        // Given an existing file
        using var dir = new TempDirectory();
        var path = dir.File("data.bin");
        File.WriteAllBytes(path, [1, 2, 3]);

        // When a write fails half-way
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write([9, 9, 9, 9]);
            throw new InvalidOperationException("disk full");
        }));

        // Then the old content is intact and nothing else is in the directory
        Assert.Equal([1, 2, 3], File.ReadAllBytes(path));
        Assert.Equal(["data.bin"], dir.Entries());
    }

    [Fact]
    public void Should_replace_the_whole_file_on_success()
    {
        using var dir = new TempDirectory();
        var path = dir.File("data.bin");
        File.WriteAllBytes(path, new byte[100]);

        AtomicFile.WriteAllBytes(path, [4, 5]);

        Assert.Equal([4, 5], File.ReadAllBytes(path));
        Assert.Equal(["data.bin"], dir.Entries());
    }
}
