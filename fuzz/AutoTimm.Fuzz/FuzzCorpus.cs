namespace AutoTimm.Fuzz;

/// <summary>The committed seed inputs and regression inputs of each target, under <c>fuzz/corpus/&lt;target&gt;</c> and <c>fuzz/crashers/&lt;target&gt;</c>.</summary>
public static class FuzzCorpus
{
    /// <summary>The repository's <c>fuzz</c> folder, found by walking up from <paramref name="start"/> (default: the binaries).</summary>
    /// <exception cref="DirectoryNotFoundException">No folder above holds <c>fuzz/corpus</c>.</exception>
    public static string FuzzFolder(string? start = null)
    {
        for (var dir = new DirectoryInfo(start ?? AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "fuzz");
            if (Directory.Exists(Path.Combine(candidate, "corpus"))) return candidate;
        }
        throw new DirectoryNotFoundException($"No fuzz/corpus folder above {start ?? AppContext.BaseDirectory}.");
    }

    /// <summary>The seed files of <paramref name="target"/>, sorted by name.</summary>
    public static IReadOnlyList<string> Seeds(FuzzTarget target, string? fuzzFolder = null) => Files(fuzzFolder, "corpus", target);

    /// <summary>The inputs that once found a defect in <paramref name="target"/>, kept as regression inputs.</summary>
    public static IReadOnlyList<string> Crashers(FuzzTarget target, string? fuzzFolder = null) => Files(fuzzFolder, "crashers", target);

    private static IReadOnlyList<string> Files(string? fuzzFolder, string kind, FuzzTarget target)
    {
        var folder = Path.Combine(fuzzFolder ?? FuzzFolder(), kind, target.CorpusName);
        return Directory.Exists(folder) ? Directory.GetFiles(folder).Order(StringComparer.Ordinal).ToList() : [];
    }
}
