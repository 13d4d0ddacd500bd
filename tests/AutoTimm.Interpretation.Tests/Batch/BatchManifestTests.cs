using AutoTimm.Interpretation.Batch;

namespace AutoTimm.Interpretation.Tests.Batch;

public sealed class BatchManifestTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("manifest-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static ManifestEntry Entry(string path, string status = ManifestEntry.Ok) => new() { Path = path, Status = status, PredictedClass = 1 };

    /// <summary>A disk that fills up: writes beyond <paramref name="capacity"/> bytes write what fits, then fail as ENOSPC does.</summary>
    private sealed class FillingStream(int capacity) : MemoryStream
    {
        public override void Write(ReadOnlySpan<byte> buffer) => Write(buffer.ToArray(), 0, buffer.Length);

        public override void Write(byte[] buffer, int offset, int count)
        {
            int room = (int)Math.Max(0, capacity - Position);
            base.Write(buffer, offset, Math.Min(room, count));
            if (room < count) throw new IOException("No space left on device");
        }
    }

    [Fact]
    public void Should_cut_off_a_line_the_full_disk_tore_and_take_no_more()
    {
        var first = System.Text.Encoding.UTF8.GetByteCount(System.Text.Json.JsonSerializer.Serialize(Entry("a.png"), JsonConventions.Line)) + 1;
        using var disk = new FillingStream(first + 60);
        using var manifest = BatchManifest.Over(disk, "/out/manifest.jsonl");
        manifest.Append(Entry("a.png"));

        var error = Assert.Throws<IOException>(() => manifest.Append(Entry(new string('b', 100) + ".png")));

        Assert.Contains("cannot append to the manifest /out/manifest.jsonl: No space left on device", error.Message);
        // The 60 bytes of the long line that fit were cut off again: only whole lines remain.
        Assert.Equal(first, disk.Length);
        Assert.EndsWith("\n", System.Text.Encoding.UTF8.GetString(disk.ToArray()));
        // Every later line is refused, even one that would fit: a torn line must not end up in the middle.
        Assert.True(System.Text.Json.JsonSerializer.Serialize(Entry("c"), JsonConventions.Line).Length + 1 < 60);
        Assert.Throws<IOException>(() => manifest.Append(Entry("c")));
        Assert.Equal(first, disk.Length);
    }

    [Fact]
    public void Should_drop_a_line_cut_short_and_keep_every_complete_line()
    {
        var path = Path.Combine(_dir, BatchManifest.FileName);
        using (var manifest = BatchManifest.Open(path))
        {
            manifest.Append(Entry("a.png"));
            manifest.Append(Entry("b.png"));
        }
        var complete = File.ReadAllBytes(path);
        File.AppendAllText(path, "{\"path\":\"c.png\",\"sta");
        using (var reopened = BatchManifest.Open(path))
        {
            Assert.Equal(["a.png", "b.png"], reopened.Existing.Select(e => e.Path));
            reopened.Append(Entry("c.png"));
        }
        Assert.Equal(["a.png", "b.png", "c.png"], BatchManifest.Read(path).Select(e => e.Path));
        Assert.Equal(complete, File.ReadAllBytes(path).AsSpan(0, complete.Length).ToArray());
    }

    [Fact]
    public void Should_name_the_line_that_is_not_an_entry()
    {
        var path = Path.Combine(_dir, BatchManifest.FileName);
        File.WriteAllText(path, "{\"path\":\"a.png\",\"status\":\"ok\"}\nnot json\n");
        var error = Assert.Throws<InvalidDataException>(() => BatchManifest.Open(path));
        Assert.Contains("line 2 is not a manifest entry", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_merge_shards_sorted_with_the_last_entry_of_a_path_winning()
    {
        string one = Path.Combine(_dir, "manifest.shard-1-of-2.jsonl"), two = Path.Combine(_dir, "manifest.shard-2-of-2.jsonl");
        using (var manifest = BatchManifest.Open(one))
        {
            manifest.Append(Entry("c.png", ManifestEntry.Partial));
            manifest.Append(Entry("a.png"));
            manifest.Append(Entry("c.png"));
        }
        using (var manifest = BatchManifest.Open(two)) manifest.Append(Entry("b.png", ManifestEntry.Failed));
        var merged = BatchManifest.Merge([one, two], Path.Combine(_dir, "all.jsonl"));
        Assert.Equal([("a.png", "ok"), ("b.png", "failed"), ("c.png", "ok")], merged.Select(e => (e.Path, e.Status)));
        Assert.Equal(merged, BatchManifest.Read(Path.Combine(_dir, "all.jsonl")));
    }

    [Fact]
    public void Should_refuse_to_merge_manifests_that_both_hold_a_path()
    {
        string one = Path.Combine(_dir, "one.jsonl"), two = Path.Combine(_dir, "two.jsonl");
        using (var manifest = BatchManifest.Open(one)) manifest.Append(Entry("a.png"));
        using (var manifest = BatchManifest.Open(two)) manifest.Append(Entry("a.png"));
        var error = Assert.Throws<InvalidDataException>(() => BatchManifest.Merge([one, two], Path.Combine(_dir, "all.jsonl")));
        Assert.Contains("a.png is in both", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_dir, "all.jsonl")));
    }

    [Fact]
    public void Should_refuse_a_second_run_of_the_same_shard_while_the_first_holds_the_manifest()
    {
        var path = Path.Combine(_dir, BatchManifest.FileName);
        using (var first = BatchManifest.Open(path))
        {
            first.Append(Entry("a.png"));
            var error = Assert.Throws<IOException>(() => BatchManifest.Open(path));
            Assert.Contains("held by another explain-batch run of the same shard", error.Message, StringComparison.Ordinal);
        }
        using var later = BatchManifest.Open(path);
        Assert.Equal(["a.png"], later.Existing.Select(e => e.Path));
    }
}
