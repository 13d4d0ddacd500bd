using AutoTimm.Data;

namespace AutoTimm.Interpretation.Batch;

/// <summary>
/// The inputs of <c>explain-batch</c>: every image (and <c>.npy</c> model input) under a folder, or the files a list
/// names. Keys are relative paths with '/' separators in ordinal order, so every process that lists the same inputs
/// sees the same keys in the same order, whatever the file system's enumeration order.
/// </summary>
public static class BatchInputs
{
    /// <summary>File extensions taken from a folder (case-insensitive): the decodable images and <c>.npy</c>.</summary>
    public static IReadOnlyList<string> Extensions { get; } = [.. ImageFolderDataset.Extensions, ".npy"];

    /// <summary>
    /// Every file under <paramref name="directory"/> (recursively) with one of <see cref="Extensions"/>, skipping hidden
    /// files and folders (names starting with '.', such as temporary files) and <paramref name="exclude"/> (the
    /// output folder, when it lies inside the input folder).
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    public static IReadOnlyList<BatchInput> FromDirectory(string directory, string? exclude = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var root = Path.GetFullPath(directory);
        if (!Directory.Exists(root))
            throw new DirectoryNotFoundException(File.Exists(root) ? $"--input-dir {directory} is a file, not a folder; give a folder or use --list" : $"input folder {directory} does not exist");
        var excluded = exclude is null ? null : Path.TrimEndingDirectorySeparator(Path.GetFullPath(exclude));
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.Hidden, IgnoreInaccessible = true, ReturnSpecialDirectories = false };
        return Directory.EnumerateFiles(root, "*", options)
            .Where(path => Extensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase))
            .Where(path => !IsHidden(Path.GetRelativePath(root, path)))
            .Where(path => excluded is null || !path.StartsWith(excluded + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            .Select(path => new BatchInput(KeyOf(Path.GetRelativePath(root, path)), path))
            .OrderBy(input => input.Key, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// The files a list names, one per line (blank lines and lines starting with '#' skipped). Relative paths are
    /// taken from the list's folder. A file's key is its path relative to the list's folder when it lies inside it,
    /// else its full path without the leading separator. Files that do not exist are kept: the run reports them.
    /// </summary>
    /// <exception cref="InvalidDataException">A key appears twice; the message names both lines.</exception>
    public static IReadOnlyList<BatchInput> FromList(string listFile)
    {
        var text = System.Text.Encoding.UTF8.GetString(InputFile.ReadAllBytes(listFile, "input list"));
        var root = Path.GetDirectoryName(Path.GetFullPath(listFile))!;
        var inputs = new List<BatchInput>();
        var lines = new Dictionary<string, int>(StringComparer.Ordinal);
        var rows = text.Split('\n');
        for (int row = 0; row < rows.Length; row++)
        {
            var line = rows[row].Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var full = Path.GetFullPath(line, root);
            var relative = Path.GetRelativePath(root, full);
            // Outside the list's folder the key is the full path, so an output never lands outside the output folder.
            bool outside = relative == ".." || relative.StartsWith(".." + Path.DirectorySeparatorChar, StringComparison.Ordinal) || Path.IsPathRooted(relative);
            var key = KeyOf(outside ? full.TrimStart(Path.DirectorySeparatorChar) : relative);
            if (lines.TryGetValue(key, out var first))
                throw new InvalidDataException($"{listFile}: line {row + 1} names {line}, the same file as line {first}; list each file once");
            lines[key] = row + 1;
            inputs.Add(new BatchInput(key, full));
        }
        return inputs.OrderBy(input => input.Key, StringComparer.Ordinal).ToList();
    }

    private static string KeyOf(string relative) => relative.Replace(Path.DirectorySeparatorChar, '/');

    private static bool IsHidden(string relative) => relative.Split(Path.DirectorySeparatorChar).Any(part => part.StartsWith('.'));
}
