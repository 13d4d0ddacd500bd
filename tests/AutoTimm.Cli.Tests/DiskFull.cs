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
