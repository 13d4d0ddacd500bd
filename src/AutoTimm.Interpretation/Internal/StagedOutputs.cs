namespace AutoTimm.Interpretation.Internal;

/// <summary>
/// The files of one unit of output (a method's figure and arrays) written under temporary names and moved into place
/// together by <see cref="Commit"/>: either all of them replace their targets or none does, and a failure leaves the
/// previous files untouched. Temporary files not committed are deleted on dispose.
/// </summary>
internal sealed class StagedOutputs : IDisposable
{
    private readonly List<(string Temporary, string Final)> _staged = [];

    /// <summary>Where to write the file that will become <paramref name="finalPath"/> (same folder, same extension).</summary>
    public string Stage(string finalPath)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(finalPath))!;
        var temporary = Path.Combine(directory, $".{Path.GetFileNameWithoutExtension(finalPath)}.{Guid.NewGuid():N}.partial{Path.GetExtension(finalPath)}");
        _staged.Add((temporary, finalPath));
        return temporary;
    }

    /// <summary>Moves every staged file to its target, after checking that every target can be replaced.</summary>
    /// <exception cref="IOException">A target is a directory; nothing was moved.</exception>
    public void Commit()
    {
        foreach (var (_, final) in _staged)
            if (Directory.Exists(final)) throw new IOException($"Cannot write {final}: a directory of that name exists.");
        foreach (var (temporary, final) in _staged) File.Move(temporary, final, overwrite: true);
        _staged.Clear();
    }

    /// <summary>Deletes what was staged and not committed.</summary>
    public void Dispose()
    {
        foreach (var (temporary, _) in _staged)
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
    }
}
