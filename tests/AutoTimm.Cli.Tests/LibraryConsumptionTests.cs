using System.Diagnostics;

namespace AutoTimm.Cli.Tests;

/// <summary>
/// The library consumed as the README says, by a new console app built from packed packages in a clean folder
/// (<c>scripts/check-library-consumption.sh</c>): it builds, loads libtorch and runs the README's snippet.
/// </summary>
public sealed class LibraryConsumptionTests
{
    [Fact]
    public async Task Should_build_and_run_the_readme_snippet_in_a_new_console_app()
    {
        var script = CliRunner.RepositoryFile("scripts/check-library-consumption.sh");
        var work = Path.Combine(Path.GetTempPath(), $"autotimm-library-{Guid.NewGuid():N}");
        try
        {
            var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add(script);
            start.ArgumentList.Add(work);
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}\n{stdout}\n{await stderr}");
            Assert.Contains("Predicted: ", stdout);
            Assert.Contains("compared: gradcam, gradcampp, xgradcam, integrated_gradients; not run: 0", stdout);
            Assert.Contains("rollout grid: (8, 8)", stdout);
            Assert.True(File.Exists(Path.Combine(work, "app", "explanation.png")));
            Assert.True(File.Exists(Path.Combine(work, "app", "comparison.png")));
        }
        finally
        {
            if (Directory.Exists(work)) Directory.Delete(work, recursive: true);
        }
    }
}
