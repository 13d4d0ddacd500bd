using TorchSharp;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using AutoTimm.Models.Architectures;
using static TorchSharp.torch;

namespace AutoTimm.Native;

/// <summary>
/// Measures whether oneDNN's float32 convolutions are right on this host at a given ISA cap. oneDNN reads its cap once,
/// when libtorch first runs a kernel, so each cap is measured in a child process: the current program started again
/// with a .NET startup hook (<see cref="global::StartupHook"/>) that runs <see cref="Measure"/>, prints the result
/// and exits before the program's <c>Main</c> runs.
/// </summary>
internal static class OneDnnProbe
{
    /// <summary>Set in the child: the ISA cap to measure ("native" for none).</summary>
    public const string ChildVariable = "AUTOTIMM_ONEDNN_PROBE";

    private const string ResultMarker = "AUTOTIMM_ONEDNN_PROBE_RESULT ";

    /// <summary>A convolution shape the probe checks, in both layouts.</summary>
    internal sealed record Case(string Name, int Batch, int InChannels, int OutChannels, int Kernel, int Stride, int Padding, int Size)
    {
        /// <summary>
        /// Whether input gradients of this shape run in the space-to-depth form, which the probe then checks too
        /// (other shapes, other kernels). Part of the record's text, so of the host signature: a verdict cached
        /// before a change of the rule is measured again.
        /// </summary>
        public bool SpaceToDepth => SpaceToDepthConvolution.Suits([OutChannels, InChannels, Kernel, Kernel], [Stride], [Padding], [1], 1);
    }

    /// <summary>
    /// Sized so that the whole probe (one child: start-up ~0.85 s, checks ~0.5 s) stays under 2 s on a 2-core machine;
    /// the 1x1 stride-2 256-to-512 case keeps the batch of 3 it was found wrong with.
    /// The shapes that were seen wrong (1x1 stride-2 NHWC forward, 3x3 stride-1 and patch-size stride NCHW input
    /// gradients) and those this project's models run: ResNet stems and blocks, convolutional ViT stems, patch
    /// embeddings.
    /// </summary>
    public static readonly IReadOnlyList<Case> Cases =
    [
        new("7x7/2 3->64 @112", 1, 3, 64, 7, 2, 3, 112),
        new("3x3/1 3->64 @64", 1, 3, 64, 3, 1, 1, 64),
        new("3x3/1 64->64 @32", 1, 64, 64, 3, 1, 1, 32),
        new("3x3/2 64->128 @32", 1, 64, 128, 3, 2, 1, 32),
        new("3x3/2 3->32 @64", 3, 3, 32, 3, 2, 1, 64),
        new("1x1/2 64->128 @32", 3, 64, 128, 1, 2, 0, 32),
        new("1x1/2 256->512 @16", 3, 256, 512, 1, 2, 0, 16),
        new("1x1/1 256->512 @8", 3, 256, 512, 1, 1, 0, 8),
        new("8x8/8 3->96 @64", 3, 3, 96, 8, 8, 0, 64),
        new("16x16/16 3->192 @112", 1, 3, 192, 16, 16, 0, 112),
    ];

    /// <summary>Checks every case, in NCHW and NHWC, forward and both backward passes, in this process.</summary>
    public static List<OneDnnCheck> Measure()
    {
        var checks = new List<OneDnnCheck>();
        var generator = new Generator(20261130);
        foreach (var c in Cases)
        {
            foreach (bool channelsLast in new[] { false, true })
            {
                using var scope = NewDisposeScope();
                int outSize = (c.Size + 2 * c.Padding - c.Kernel) / c.Stride + 1;
                var x = randn([c.Batch, c.InChannels, c.Size, c.Size], generator: generator);
                using Scalar fanInRoot = Math.Sqrt(c.InChannels * c.Kernel * c.Kernel);
                var w = randn([c.OutChannels, c.InChannels, c.Kernel, c.Kernel], generator: generator).div(fanInRoot);
                var g = randn([c.Batch, c.OutChannels, outSize, outSize], generator: generator);
                if (channelsLast)
                {
                    x = ChannelsLast.Of(x);
                    g = ChannelsLast.Of(g);
                }
                var geometry = new ConvolutionGeometry(c.Stride, c.Padding);
                string layout = channelsLast ? "NHWC" : "NCHW";
                foreach (var pass in ConvolutionAccuracy.Measure(x, w, g, geometry))
                    checks.Add(new OneDnnCheck(c.Name, layout, pass.Pass, pass.DotLength, pass.BoundRatio, pass.RelativeError));
                // Input gradients of such layers run in the space-to-depth form: other shapes, other kernels.
                if (!c.SpaceToDepth) continue;
                foreach (var pass in ConvolutionAccuracy.Measure(x, w, g, geometry, (xi, wi) => SpaceToDepthConvolution.Rearranged(xi, wi, null, c.Stride, [c.Padding, c.Padding])))
                    checks.Add(new OneDnnCheck($"{c.Name} space-to-depth", layout, pass.Pass, pass.DotLength, pass.BoundRatio, pass.RelativeError));
            }
        }
        return checks;
    }

    /// <summary>The child's work: measure, print the result on standard output, exit.</summary>
    internal static void RunAsChild()
    {
        int code = 0;
        string payload;
        try
        {
            TorchRuntime.EnsureLoaded();
            payload = JsonSerializer.Serialize(Measure(), OneDnnJson.Compact);
        }
        catch (Exception e)
        {
            payload = JsonSerializer.Serialize(new { error = $"{e.GetType().Name}: {e.Message}" });
            code = 3;
        }
        // The parent reads this line from the child's standard output (file descriptor 1).
        using (var stdout = new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(1, ownsHandle: false), FileAccess.Write))
        {
            stdout.Write(Encoding.UTF8.GetBytes(ResultMarker + payload + "\n"));
            stdout.Flush();
        }
        Environment.Exit(code);
    }

    /// <summary>
    /// Whether this process can be started again as a probe: .NET startup hooks are enabled and the command line
    /// can be read.
    /// </summary>
    public static string? WhyNotAvailable()
    {
        if (AppContext.TryGetSwitch("System.StartupHookProvider.IsSupported", out bool supported) && !supported)
            return "startup hooks are disabled in this application";
        if (Environment.ProcessPath is null || !File.Exists("/proc/self/cmdline"))
            return "the process's command line cannot be read";
        return null;
    }

    /// <summary>Measures at <paramref name="isa"/> in a child process.</summary>
    public static OneDnnCandidate MeasureInChild(string isa, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        var argv = Encoding.UTF8.GetString(File.ReadAllBytes("/proc/self/cmdline")).Split('\0');
        var start = new ProcessStartInfo(Environment.ProcessPath!)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // argv ends with an empty string after the last NUL.
        foreach (var arg in argv.Skip(1).Take(Math.Max(0, argv.Length - 2))) start.ArgumentList.Add(arg);
        var location = typeof(OneDnnProbe).Assembly.Location;
        start.Environment["DOTNET_STARTUP_HOOKS"] = string.IsNullOrEmpty(location) ? typeof(OneDnnProbe).Assembly.GetName().Name : location;
        start.Environment[ChildVariable] = isa;
        start.Environment.Remove("ONEDNN_MAX_CPU_ISA");
        start.Environment.Remove("DNNL_MAX_CPU_ISA");
        try
        {
            using var child = Process.Start(start) ?? throw new InvalidOperationException("the child process did not start");
            child.StandardInput.Close();
            var stderr = child.StandardError.ReadToEndAsync();
            var stdout = child.StandardOutput.ReadToEndAsync();
            if (!child.WaitForExit(timeout))
            {
                child.Kill(entireProcessTree: true);
                return Failed(isa, clock, $"timed out after {timeout.TotalSeconds:0} s");
            }
            child.WaitForExit();
            var line = stdout.Result.Split('\n').LastOrDefault(l => l.StartsWith(ResultMarker, StringComparison.Ordinal));
            if (line is null)
                return Failed(isa, clock, $"exit code {child.ExitCode}, no result; {Tail(stderr.Result)}");
            var json = line[ResultMarker.Length..];
            if (child.ExitCode != 0)
                return Failed(isa, clock, JsonDocument.Parse(json).RootElement.TryGetProperty("error", out var error) ? error.GetString() ?? json : json);
            var checks = JsonSerializer.Deserialize<List<OneDnnCheck>>(json, OneDnnJson.Compact) ?? [];
            return new OneDnnCandidate(isa, checks.Count > 0 && checks.All(c => c.Passed), Math.Round(clock.Elapsed.TotalSeconds, 3), checks);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException or JsonException)
        {
            return Failed(isa, clock, e.Message);
        }
    }

    private static OneDnnCandidate Failed(string isa, Stopwatch clock, string why) =>
        new(isa, false, Math.Round(clock.Elapsed.TotalSeconds, 3), [], why);

    private static string Tail(string text)
    {
        var trimmed = text.Trim();
        return trimmed.Length <= 400 ? trimmed : "..." + trimmed[^400..];
    }
}
