namespace AutoTimm.Samples;

/// <summary>Finds the repository's sample inputs and prepares an output folder, wherever the sample runs from.</summary>
internal static class SampleFiles
{
    public static string Asset(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "assets", relative);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"assets/{relative} not found above {AppContext.BaseDirectory}");
    }

    public static string Output(string name, string[] args)
    {
        var dir = args.Length > 0 ? args[0] : Path.Combine("out", name);
        Directory.CreateDirectory(dir);
        return dir;
    }
}
