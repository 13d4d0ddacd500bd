using System.Text;
using System.Text.Json;

namespace AutoTimm.Interpretation.Batch;

/// <summary>
/// The JSON Lines manifest of an <c>explain-batch</c> run: one <see cref="ManifestEntry"/> per input, appended and
/// flushed after that input's outputs are in place, so a run killed at any moment leaves a manifest whose every
/// complete line describes files that exist. A line cut short by the kill is dropped when the manifest is opened again.
/// </summary>
public sealed class BatchManifest : IDisposable
{
    /// <summary>File name of an unsharded run's manifest.</summary>
    public const string FileName = "manifest.jsonl";

    private readonly Stream _stream;
    private readonly Lock _gate = new();
    private IOException? _failure;

    private BatchManifest(string path, Stream stream, IReadOnlyList<ManifestEntry> existing)
    {
        Path = path;
        _stream = stream;
        Existing = existing;
    }

    /// <summary>The manifest file.</summary>
    public string Path { get; }

    /// <summary>The entries the file held when opened (an earlier, interrupted run's).</summary>
    public IReadOnlyList<ManifestEntry> Existing { get; }

    /// <summary>The manifest's file name for <paramref name="shard"/>: <c>manifest.jsonl</c>, or <c>manifest.shard-2-of-3.jsonl</c>.</summary>
    public static string FileNameFor(InputShard shard)
    {
        ArgumentNullException.ThrowIfNull(shard);
        return shard.IsAll ? FileName : $"manifest.{shard.Label}.jsonl";
    }

    /// <summary>
    /// Opens (or creates) the manifest for appending, exclusively: a second run of the same shard into the same folder
    /// is refused while this one holds it. Complete lines of an earlier run are kept in
    /// <see cref="Existing"/>; a last line without its newline (a write cut short) is removed from the file.
    /// </summary>
    /// <exception cref="InvalidDataException">A complete line is not a manifest entry; the message gives its number.</exception>
    public static BatchManifest Open(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        FileStream stream;
        try
        {
            // Exclusive: two runs of one shard into one folder would interleave their lines and redo each other's work.
            // Unbuffered: a line is written by Append or not at all, never left in a buffer to fail at Dispose.
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 0);
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException && File.Exists(path))
        {
            throw new IOException($"{path} is held by another explain-batch run of the same shard into this folder; wait for it to end, or give each run its own --shard or --output-dir", e);
        }
        try
        {
            var (entries, completeLength) = Parse(stream, path);
            if (completeLength != stream.Length) stream.SetLength(completeLength);
            stream.Seek(0, SeekOrigin.End);
            return new BatchManifest(path, stream, entries);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>A manifest over an open, empty stream: for tests that make writes fail.</summary>
    internal static BatchManifest Over(Stream stream, string path) => new(path, stream, []);

    /// <summary>Reads every complete entry of a manifest (a torn last line is ignored).</summary>
    public static IReadOnlyList<ManifestEntry> Read(string path)
    {
        using var stream = InputFile.OpenRead(path, "manifest");
        return Parse(stream, path).Entries;
    }

    /// <summary>
    /// Joins shard manifests into one, atomically: within a manifest the last entry of a path wins (a restarted run
    /// redid it), entries are sorted by path, and a path finished in two different manifests is an error (the shards
    /// were not of one split).
    /// </summary>
    /// <returns>The merged entries, in the order written.</returns>
    /// <exception cref="InvalidDataException">A path appears in two manifests; the message names it and both files.</exception>
    public static IReadOnlyList<ManifestEntry> Merge(IReadOnlyList<string> manifests, string output)
    {
        ArgumentNullException.ThrowIfNull(manifests);
        ArgumentException.ThrowIfNullOrWhiteSpace(output);
        if (manifests.Count == 0) throw new ArgumentException("no manifests given", nameof(manifests));
        var merged = new Dictionary<string, (ManifestEntry Entry, string Source)>(StringComparer.Ordinal);
        foreach (var manifest in manifests)
        {
            var latest = new Dictionary<string, ManifestEntry>(StringComparer.Ordinal);
            foreach (var entry in Read(manifest)) latest[entry.Path] = entry;
            foreach (var (key, entry) in latest)
            {
                if (merged.TryGetValue(key, out var other))
                    throw new InvalidDataException($"{key} is in both {other.Source} and {manifest}: these manifests are not shards of one split (use the same --shard count for every part)");
                merged[key] = (entry, manifest);
            }
        }
        var entries = merged.Values.Select(v => v.Entry).OrderBy(e => e.Path, StringComparer.Ordinal).ToList();
        AtomicFile.Write(output, stream =>
        {
            foreach (var entry in entries) stream.Write(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(entry, JsonConventions.Line) + "\n"));
        });
        return entries;
    }

    /// <summary>
    /// Appends one entry and flushes it to the operating system. When the write fails (a full disk), the part of the
    /// line that was written is cut off again, and every later append fails with the same error: the file keeps only
    /// complete lines.
    /// </summary>
    /// <exception cref="IOException">The line could not be written; the message names the manifest.</exception>
    public void Append(ManifestEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var line = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(entry, JsonConventions.Line) + "\n");
        lock (_gate)
        {
            if (_failure is not null) throw new IOException(_failure.Message, _failure);
            var complete = _stream.Length;
            try
            {
                _stream.Write(line);
                _stream.Flush();
            }
            catch (IOException e)
            {
                try
                {
                    _stream.SetLength(complete);
                    _stream.Seek(0, SeekOrigin.End);
                }
                catch (IOException)
                {
                    // Opening the manifest again drops a torn last line.
                }
                _failure = new IOException($"cannot append to the manifest {Path}: {e.Message}", e);
                throw _failure;
            }
        }
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _stream.Dispose();

    private static (IReadOnlyList<ManifestEntry> Entries, long CompleteLength) Parse(Stream stream, string path)
    {
        stream.Seek(0, SeekOrigin.Begin);
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        var bytes = memory.GetBuffer().AsSpan(0, (int)memory.Length);
        var entries = new List<ManifestEntry>();
        int start = 0, number = 0;
        while (start < bytes.Length)
        {
            int end = bytes[start..].IndexOf((byte)'\n');
            if (end < 0) break;
            number++;
            var line = bytes.Slice(start, end);
            if (!line.Trim((byte)' ').IsEmpty)
            {
                ManifestEntry? entry;
                try
                {
                    entry = JsonSerializer.Deserialize<ManifestEntry>(line, JsonConventions.Input);
                }
                catch (JsonException e)
                {
                    throw new InvalidDataException($"{path}: line {number} is not a manifest entry ({e.Message}); remove the line or the file to start over", e);
                }
                entries.Add(entry ?? throw new InvalidDataException($"{path}: line {number} is null"));
            }
            start += end + 1;
        }
        return (entries, start);
    }
}
