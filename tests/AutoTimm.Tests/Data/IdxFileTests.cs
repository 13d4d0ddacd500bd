using AutoTimm.Data;

namespace AutoTimm.Tests.Data;

public sealed class IdxFileTests
{
    [Fact]
    public void Should_read_raw_and_gzip_files_to_the_same_values()
    {
        using var dir = new TempDir();
        var data = Enumerable.Range(0, 2 * 3 * 4).Select(i => (byte)(i * 7)).ToArray();
        IdxFile.WriteBytes(dir.File("raw"), [2, 3, 4], data);
        IdxFile.WriteBytes(dir.File("packed.gz"), [2, 3, 4], data, gzip: true);

        var (rawShape, raw) = IdxFile.ReadBytes(dir.File("raw"), 3);
        var (gzShape, gz) = IdxFile.ReadBytes(dir.File("packed.gz"), 3);

        Assert.Equal([2, 3, 4], rawShape);
        Assert.Equal([2, 3, 4], gzShape);
        Assert.Equal(data, raw);
        Assert.Equal(data, gz);
        Assert.Equal(4 + 3 * 4 + 24, new FileInfo(dir.File("raw")).Length);
    }

    [Fact]
    public void Should_write_the_big_endian_header_of_the_format()
    {
        using var dir = new TempDir();
        IdxFile.WriteBytes(dir.File("labels"), [3], [1, 2, 3]);
        var bytes = File.ReadAllBytes(dir.File("labels"));
        Assert.Equal(new byte[] { 0, 0, 8, 1, 0, 0, 0, 3, 1, 2, 3 }, bytes);
    }

    [Fact]
    public void Should_reject_a_file_with_the_wrong_number_of_dimensions()
    {
        using var dir = new TempDir();
        IdxFile.WriteBytes(dir.File("labels"), [3], [1, 2, 3]);
        var e = Assert.Throws<InvalidDataException>(() => IdxFile.ReadBytes(dir.File("labels"), 3));
        Assert.Contains("1 dimensions, expected 3", e.Message);
        Assert.Contains("0x00000801", e.Message);
    }

    [Fact]
    public void Should_reject_a_file_that_is_not_idx()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("png"), [0x89, 0x50, 0x4E, 0x47, 0, 0, 0, 0]);
        var e = Assert.Throws<InvalidDataException>(() => IdxFile.ReadBytes(dir.File("png"), 1));
        Assert.Contains("not an IDX file", e.Message);
    }

    [Fact]
    public void Should_reject_an_element_type_other_than_unsigned_byte()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("floats"), [0, 0, 0x0D, 1, 0, 0, 0, 1, 0, 0, 0, 0]);
        var e = Assert.Throws<InvalidDataException>(() => IdxFile.ReadBytes(dir.File("floats"), 1));
        Assert.Contains("element type 0x0D", e.Message);
    }

    [Fact]
    public void Should_name_the_missing_byte_count_of_a_truncated_file()
    {
        using var dir = new TempDir();
        IdxFile.WriteBytes(dir.File("full"), [2, 28, 28], new byte[2 * 784]);
        var bytes = File.ReadAllBytes(dir.File("full"));
        File.WriteAllBytes(dir.File("cut"), bytes[..(bytes.Length - 100)]);

        var e = Assert.Throws<InvalidDataException>(() => IdxFile.ReadBytes(dir.File("cut"), 3));

        Assert.Contains("truncated", e.Message);
        Assert.Contains("needs 1568 data bytes, found 1468", e.Message);
        Assert.Contains(dir.File("cut"), e.Message);
    }

    [Fact]
    public void Should_report_a_truncated_gzip_file_clearly()
    {
        using var dir = new TempDir();
        var random = new Random(3);
        var data = new byte[5 * 784];
        random.NextBytes(data);
        IdxFile.WriteBytes(dir.File("full.gz"), [5, 28, 28], data, gzip: true);
        var bytes = File.ReadAllBytes(dir.File("full.gz"));
        File.WriteAllBytes(dir.File("cut.gz"), bytes[..(bytes.Length / 2)]);

        var e = Assert.Throws<InvalidDataException>(() => IdxFile.ReadBytes(dir.File("cut.gz"), 3));

        Assert.StartsWith(dir.File("cut.gz") + ":", e.Message);
        Assert.True(e.Message.Contains("truncated") || e.Message.Contains("corrupt gzip"), e.Message);
    }

    [Fact]
    public void Should_report_a_truncated_header()
    {
        using var stream = new MemoryStream([0, 0, 8, 3, 0, 0, 0, 2, 0, 0]);
        var e = Assert.Throws<InvalidDataException>(() => IdxFile.ReadBytes(stream, 3, "x"));
        Assert.Contains("truncated IDX header: 6 of 12 dimension bytes", e.Message);
    }

    [Fact]
    public void Should_detect_gzip_by_content_not_by_name()
    {
        using var dir = new TempDir();
        IdxFile.WriteBytes(dir.File("labels-without-suffix"), [4], [9, 8, 7, 6], gzip: true);
        Assert.Equal(new byte[] { 0x1F, 0x8B }, File.ReadAllBytes(dir.File("labels-without-suffix"))[..2]);
        Assert.Equal(new byte[] { 9, 8, 7, 6 }, IdxFile.ReadBytes(dir.File("labels-without-suffix"), 1).Data);
    }
}
