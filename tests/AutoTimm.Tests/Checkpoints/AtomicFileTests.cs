using AutoTimm.Models.Checkpoints;
using AutoTimm.Tests.Fixtures;

namespace AutoTimm.Tests.Checkpoints;

public sealed class AtomicFileTests
{
    [Fact]
    public void Should_keep_the_previous_file_and_leave_no_temporary_when_writing_fails()
    {
        using var temp = new TempDirectory();
        var path = temp.File("weights.safetensors");
        File.WriteAllText(path, "previous content");

        var error = Assert.Throws<IOException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[4096]);
            throw new IOException("disk full (simulated)");
        }));

        Assert.Equal("disk full (simulated)", error.Message);
        Assert.Equal("previous content", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(temp.Path));
    }

    [Fact]
    public void Should_replace_the_file_only_when_complete()
    {
        using var temp = new TempDirectory();
        var path = temp.File("out.bin");
        File.WriteAllText(path, "old");

        AtomicFile.Write(path, stream =>
        {
            Assert.Equal("old", File.ReadAllText(path)); // the target is untouched while the new content is written
            stream.Write("new"u8);
        });

        Assert.Equal("new", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(temp.Path));
    }
}
