using System.Text.Json;

namespace AutoTimm.Cli.Tests;

/// <summary>Runs the CLI in-process and parses its one JSON object.</summary>
internal static class CliRunner
{
    public static (int ExitCode, JsonElement Json) Run(params string[] args)
    {
        var output = new StringWriter();
        int code = CliApp.Run(args, output);
        using var document = JsonDocument.Parse(output.ToString());
        return (code, document.RootElement.Clone());
    }

    /// <summary>A file under the repository's tests/fixtures, found by walking up from the test binaries.</summary>
    public static string Fixture(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "fixtures", relative);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"fixture tests/fixtures/{relative} not found", relative);
    }

    /// <summary>A file of the repository, found by walking up from the test binaries.</summary>
    public static string RepositoryFile(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"{relative} not found above {AppContext.BaseDirectory}", relative);
    }

    /// <summary>A file under the repository's assets/samples.</summary>
    public static string Sample(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "assets", "samples", relative);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"assets/samples/{relative} not found", relative);
    }
}
