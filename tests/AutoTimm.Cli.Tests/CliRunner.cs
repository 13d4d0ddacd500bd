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

    /// <summary>The dotnet host that runs the tests, which runs the CLI too.</summary>
    public static string DotnetHost => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";

    /// <summary>The CLI's assembly beside the test binaries.</summary>
    public static string CliAssembly => Path.Combine(AppContext.BaseDirectory, "autotimm.dll");

    /// <summary>
    /// The CLI in a process of its own (as a cluster task or a user runs it), standard output redirected for the JSON,
    /// standard error drained.
    /// </summary>
    public static System.Diagnostics.Process StartProcess(string[] args, IDictionary<string, string>? environment = null)
    {
        var info = new System.Diagnostics.ProcessStartInfo(DotnetHost)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(CliAssembly);
        foreach (var arg in args) info.ArgumentList.Add(arg);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) info.Environment[key] = value;
        var process = System.Diagnostics.Process.Start(info)!;
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        return process;
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
