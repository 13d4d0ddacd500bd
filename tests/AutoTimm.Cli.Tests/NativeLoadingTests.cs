using System.Diagnostics;

namespace AutoTimm.Cli.Tests;

public sealed class NativeLoadingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("autotimm-native-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>
    /// A fresh application folder holding TorchSharp's glue exactly as the NuGet package ships it (libtorch and the
    /// managed assemblies linked in): the tool must load it and run, repairing the glue in place on this host.
    /// </summary>
    [Fact]
    public void Should_run_the_tool_from_a_folder_with_the_glue_as_shipped()
    {
        foreach (var file in Directory.GetFiles(AppContext.BaseDirectory))
        {
            var name = Path.GetFileName(file);
            if (name == "libLibTorchSharp.so") continue;
            // Managed files are copied so TorchSharp.dll's location is this folder; the large natives are linked.
            if (name.Contains(".so")) File.CreateSymbolicLink(Path.Combine(_dir, name), file);
            else File.Copy(file, Path.Combine(_dir, name));
        }
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var shipped = Path.Combine(packages, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        var glue = Path.Combine(_dir, "libLibTorchSharp.so");
        File.Copy(shipped, glue);
        var before = File.ReadAllBytes(glue);

        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(_dir, "autotimm.dll"), "predict", "--checkpoint", CliRunner.Fixture("pytorch/vit_small.pth"),
                "--arch", "vit_femto_patch8_32", "--image", CliRunner.Fixture("pytorch/vit_small_input.npy") },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEnd();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();

        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}\n{stdout}\n{stderr}");
        Assert.Contains("\"predicted_class\": 1", stdout);
        var after = File.ReadAllBytes(glue);
        // A host whose libstdc++ defines GLIBCXX_3.4.32 loads the glue as shipped; older ones get one flag byte changed.
        bool hostIsNewEnough = HostLibstdcxxDefines("GLIBCXX_3.4.32");
        Assert.Equal(hostIsNewEnough ? 0 : 1, before.Zip(after).Count(p => p.First != p.Second));
        Assert.Empty(Directory.GetFiles(_dir, ".*.tmp"));
    }

    private static bool HostLibstdcxxDefines(string version)
    {
        var library = new[] { "/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6" }
            .First(File.Exists);
        return File.ReadAllBytes(library).AsSpan().IndexOf(System.Text.Encoding.ASCII.GetBytes(version + "\0")) >= 0;
    }
}
