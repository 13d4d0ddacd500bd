using System.Diagnostics;

namespace AutoTimm.Cli.Tests;

/// <summary>
/// A real full disk for process tests: a size-limited tmpfs mounted in a private mount namespace (<c>unshare -rm</c>,
/// no privileges needed where user namespaces are allowed), so nothing outside the test sees it and it vanishes with
/// the shell that mounted it.
/// </summary>
internal static class DiskFull
{
    /// <summary>Whether this host lets a test mount a tmpfs over <paramref name="directory"/> in a private namespace.</summary>
    public static bool CanMountTmpfs(string directory)
    {
        try
        {
            return Shell($"mount -t tmpfs -o size=64k tmpfs {Quote(directory)}").ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false; // no unshare
        }
    }

    /// <summary>Runs <paramref name="commands"/> one after another in one shell inside a private mount namespace.</summary>
    /// <exception cref="InvalidOperationException">The shell failed; the message has its output.</exception>
    public static void RunInNamespace(params string[] commands)
    {
        var (code, output) = Shell(string.Join("\n", ["set -e", .. commands]));
        if (code != 0) throw new InvalidOperationException($"the namespace shell exited {code}: {output}");
    }

    /// <summary>
    /// A shell line that runs the CLI with <paramref name="args"/>, its JSON to <c>&lt;name&gt;.json</c> and its exit code
    /// to <c>&lt;name&gt;.rc</c> in <paramref name="directory"/>; it never fails the namespace shell itself.
    /// </summary>
    public static string CliRun(IEnumerable<string> args, string directory, string name) =>
        $"{Quote(CliRunner.DotnetHost)} {Quote(CliRunner.CliAssembly)} {string.Join(" ", args.Select(Quote))} " +
        $"> {Quote(Path.Combine(directory, name + ".json"))} 2>/dev/null && code=0 || code=$?; echo $code > {Quote(Path.Combine(directory, name + ".rc"))}";

    /// <summary>Single-quotes a word for the shell.</summary>
    public static string Quote(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static (int ExitCode, string Output) Shell(string script)
    {
        var info = new ProcessStartInfo("unshare") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "-rm", "bash", "-c", script }) info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output + error.Result);
    }
}
