namespace AutoTimm;

/// <summary>
/// Writes a file so that readers see either the old content or the complete new content, never a partial file:
/// the data goes to a temporary file in the same directory (same file system, so the final rename is atomic), is
/// flushed to disk, then renamed over the target. On any failure the temporary file is removed and the old file
/// stays as it was. The directory must exist.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes through a stream callback (which may close the stream itself).</summary>
    /// <exception cref="IOException">The file could not be written (a full disk, no permission): the message names
    /// <paramref name="path"/>, not the temporary file, and the old file is untouched.</exception>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(write);
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full) ?? throw new IOException($"Cannot write {path}: it has no parent directory.");
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"Cannot write {path}: directory {directory} does not exist.");
        if (Directory.Exists(full))
            throw new IOException($"Cannot write {path}: a directory of that name exists.");

        var temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
                if (stream.CanWrite) stream.Flush(flushToDisk: true);
            }
            // Writers that close the stream themselves still get their bytes onto the disk before the rename.
            using (var sync = new FileStream(temp, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
                sync.Flush(flushToDisk: true);
            File.Move(temp, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            throw WriteFailed(path, temp, e);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>Writes bytes.</summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> content)
    {
        var copy = content.ToArray();
        Write(path, stream => stream.Write(copy));
    }

    /// <summary>Writes UTF-8 text.</summary>
    public static void WriteAllText(string path, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(text));
    }

    /// <summary>
    /// The error of a write to <paramref name="temporary"/> that was to become <paramref name="path"/>, naming the
    /// target: .NET's messages name the temporary file ("No space left on device : '/dir/.x.1f...tmp'").
    /// </summary>
    internal static IOException WriteFailed(string path, string temporary, Exception error)
    {
        var reason = error.Message.Replace($" : '{temporary}'", "", StringComparison.Ordinal).Replace(temporary, path, StringComparison.Ordinal);
        return new IOException($"cannot write {path}: {reason}", error);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The original error matters more than a leftover temporary file.
        }
    }
}
