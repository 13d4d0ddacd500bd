namespace AutoTimm.Interpretation.Internal;

/// <summary>
/// The files of one unit of output (a method's figure and arrays) written under temporary names and moved into place
/// together by <see cref="Commit"/>: either all of them replace their targets or none does, and a failure leaves the
/// previous files untouched. Temporary files not committed are deleted on dispose, and so are files another writer put
/// in place that were <see cref="Adopt"/>ed into the unit.
/// </summary>
internal sealed partial class StagedOutputs(string? owner = null) : IDisposable
{
    private readonly string _tag = owner is null ? "" : $".{Checked(owner)}";
    private readonly List<(string Temporary, string Final)> _staged = [];
    private readonly List<string> _adopted = [];

    /// <summary>Takes a file another writer already put in place into the unit: it is removed again unless the unit commits.</summary>
    public void Adopt(string path) => _adopted.Add(path);

    /// <summary>Writes the file that will become <paramref name="finalPath"/>, under its temporary name.</summary>
    /// <param name="finalPath">Where the file goes on <see cref="Commit"/>.</param>
    /// <param name="write">Writes the file at the path it is given.</param>
    /// <exception cref="IOException">The write failed (a full disk, no permission); the message names <paramref name="finalPath"/> and the reason.</exception>
    public void Write(string finalPath, Action<string> write)
    {
        var temporary = Stage(finalPath);
        try
        {
            write(temporary);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw AtomicFile.WriteFailed(finalPath, temporary, e);
        }
    }

    /// <summary>Where to write the file that will become <paramref name="finalPath"/> (same folder, same extension).</summary>
    private string Stage(string finalPath)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(finalPath))!;
        var temporary = Path.Combine(directory, $".{Path.GetFileNameWithoutExtension(finalPath)}{_tag}.{Guid.NewGuid():N}.partial{Path.GetExtension(finalPath)}");
        _staged.Add((temporary, finalPath));
        return temporary;
    }

    /// <summary>
    /// Whether <paramref name="path"/> has the name <see cref="Stage"/> gives temporary files of units created with
    /// <paramref name="owner"/>: a writer that shares its folder with others (shards of one batch) clears only its own
    /// leftovers.
    /// </summary>
    public static bool IsStagedBy(string path, string owner)
    {
        var name = Path.GetFileName(path);
        return StagedName().Match(name) is { Success: true } match
            && name.AsSpan(0, match.Groups["guid"].Index).EndsWith($".{Checked(owner)}.", StringComparison.Ordinal);
    }

    private static string Checked(string owner) =>
        owner.Length > 0 && owner.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
            ? owner
            : throw new ArgumentException($"an owner tag is letters, digits, '-' and '_', got '{owner}'", nameof(owner));

    [System.Text.RegularExpressions.GeneratedRegex(@"^\..+\.(?<guid>[0-9a-f]{32})\.partial(\.[^.]*)?$")]
    private static partial System.Text.RegularExpressions.Regex StagedName();

    /// <summary>Moves every staged file to its target, after checking that every target can be replaced.</summary>
    /// <exception cref="IOException">A target is a directory; nothing was moved.</exception>
    public void Commit()
    {
        foreach (var (_, final) in _staged)
            if (Directory.Exists(final)) throw new IOException($"Cannot write {final}: a directory of that name exists.");
        foreach (var (temporary, final) in _staged) File.Move(temporary, final, overwrite: true);
        _staged.Clear();
        _adopted.Clear();
    }

    /// <summary>Deletes what was staged or adopted and not committed.</summary>
    public void Dispose()
    {
        foreach (var temporary in _staged.Select(s => s.Temporary).Concat(_adopted))
        {
            try
            {
                File.Delete(temporary);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Best effort: the file has a hidden temporary name and holds nothing a reader would take for output.
            }
        }
        _staged.Clear();
        _adopted.Clear();
    }
}
