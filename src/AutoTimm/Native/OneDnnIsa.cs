using System.Runtime.InteropServices;
using System.Text.Json;

namespace AutoTimm.Native;

/// <summary>
/// Chooses the highest oneDNN ISA whose float32 convolutions are right on this host, by measurement. Some oneDNN
/// kernels were measured wrong against float64 on virtual AMD EPYC hosts (input gradients of 3x3 stride-1 and 8x8
/// stride-8 NCHW convolutions, the forward of a 1x1 stride-2 NHWC convolution: errors the size of the values), and
/// whether a host has them cannot be told from its CPU flags or cache reports. So before libtorch loads,
/// <see cref="OneDnnProbe"/> checks the shapes that went wrong and those this project's models run, from the native
/// ISA down to AVX, each in a child process, and the first cap whose every check is within its rounding-error bound
/// wins.
/// </summary>
/// <remarks>
/// The verdict is cached per CPU signature (model, flags, microcode, caches, core count) and libtorch build in
/// <c>$XDG_CACHE_HOME/autotimm/onednn/</c> (default <c>~/.cache</c>), written atomically, so the probe runs once per
/// host. Users keep the last word: <c>ONEDNN_MAX_CPU_ISA</c> (or <c>DNNL_MAX_CPU_ISA</c>) is honoured as set, and
/// <c>AUTOTIMM_ONEDNN_ISA=native</c> skips the probe and leaves oneDNN as shipped. Where no child can be started
/// (startup hooks disabled), the old proxy decides: AVX where the host hides its caches.
/// </remarks>
internal static class OneDnnIsa
{
    /// <summary>The lowest cap tried; every kernel the project met was right there.</summary>
    public const string SafeIsa = "AVX";

    private const string CacheInfoFolder = "/sys/devices/system/cpu/cpu0/cache";
    private static readonly TimeSpan ChildTimeout = TimeSpan.FromSeconds(120);

    /// <summary>What was decided.</summary>
    public static OneDnnDecision Decision { get; private set; } = new("not applied", "native", "not applied", null);

    /// <summary>Decides and applies the cap; call before libtorch is loaded.</summary>
    public static void Apply()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            Decision = new("not applicable", "native", "not Linux x64", null);
            return;
        }
        if (Environment.GetEnvironmentVariable(OneDnnProbe.ChildVariable) is { Length: > 0 } probed)
        {
            Decision = new("probe child", probed, $"measuring {probed}", null);
            if (probed != "native") NativeEnvironment.Set("ONEDNN_MAX_CPU_ISA", probed);
            return;
        }
        if (string.Equals(Environment.GetEnvironmentVariable("AUTOTIMM_ONEDNN_ISA"), "native", StringComparison.OrdinalIgnoreCase))
        {
            Decision = new("user", "native", "AUTOTIMM_ONEDNN_ISA=native: oneDNN as shipped, not probed", null);
            return;
        }
        foreach (var name in new[] { "ONEDNN_MAX_CPU_ISA", "DNNL_MAX_CPU_ISA" })
        {
            if (NativeEnvironment.Get(name) is { } set)
            {
                Decision = new("user", set, $"{name}={set} set by the user, not probed", null);
                return;
            }
        }

        var signature = HostSignature.Current();
        var cacheFile = CachePath(signature.Key);
        var verdict = ReadCached(cacheFile, signature.Key);
        string source = "cache";
        if (verdict is null)
        {
            if (OneDnnProbe.WhyNotAvailable() is { } why)
            {
                ApplyProxy($"probe not run ({why})");
                return;
            }
            verdict = Probe(signature);
            source = "probe";
            if (verdict.Candidates.Any(c => c.Failure is null)) TryWrite(cacheFile, verdict);
            else
            {
                ApplyProxy($"probe failed ({verdict.Candidates[0].Failure})");
                return;
            }
        }
        if (verdict.Isa != "native" && !NativeEnvironment.Set("ONEDNN_MAX_CPU_ISA", verdict.Isa))
        {
            Decision = new(source, "native", $"could not set ONEDNN_MAX_CPU_ISA={verdict.Isa}", verdict);
            return;
        }
        Decision = new(source, verdict.Isa, verdict.Reason, verdict) { CacheFile = cacheFile };
    }

    /// <summary>Measures the candidates from the native ISA down; the first that passes wins, AVX if none does.</summary>
    private static OneDnnVerdict Probe(HostSignature signature)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var candidates = new List<OneDnnCandidate>();
        string? chosen = null;
        foreach (var isa in Candidates(signature.Flags))
        {
            var candidate = OneDnnProbe.MeasureInChild(isa, ChildTimeout);
            candidates.Add(candidate);
            if (candidate.Passed)
            {
                chosen = isa;
                break;
            }
            if (candidate.Failure is not null) break;
        }
        string reason;
        if (chosen == "native") reason = "every checked convolution is within its rounding-error bound at the native ISA";
        else if (chosen is not null)
        {
            var worst = candidates[0].Worst;
            reason = $"capped at {chosen}: at the native ISA {worst?.Case} {worst?.Layout} {worst?.Pass} exceeded its rounding-error bound {worst?.BoundRatio:0.##}x";
        }
        else
        {
            chosen = SafeIsa;
            reason = candidates.Any(c => c.Failure is not null)
                ? $"capped at {SafeIsa}: the probe could not finish ({candidates.First(c => c.Failure is not null).Failure})"
                : $"capped at {SafeIsa}: no ISA passed every check";
        }
        return new OneDnnVerdict(OneDnnVerdict.CurrentFormat, chosen, reason, signature.Description, signature.Key, signature.Libtorch,
            Environment.ProcessorCount, candidates, DateTime.UtcNow, Math.Round(clock.Elapsed.TotalSeconds, 3));
    }

    /// <summary>Caps to try, highest first, among those the CPU has.</summary>
    internal static IEnumerable<string> Candidates(IReadOnlySet<string> flags)
    {
        yield return "native";
        if (flags.Contains("avx512f") && flags.Contains("avx512bw") && flags.Contains("avx512vl") && flags.Contains("avx512dq")) yield return "AVX512_CORE";
        if (flags.Contains("avx2")) yield return "AVX2";
        if (flags.Contains("avx")) yield return SafeIsa;
    }

    private static void ApplyProxy(string why)
    {
        bool hidden = !(Directory.Exists(CacheInfoFolder) && Directory.EnumerateDirectories(CacheInfoFolder, "index*").Any());
        if (!hidden)
        {
            Decision = new("proxy", "native", $"{why}; the host reports its caches, oneDNN left as shipped", null);
            return;
        }
        Decision = NativeEnvironment.Set("ONEDNN_MAX_CPU_ISA", SafeIsa)
            ? new("proxy", SafeIsa, $"{why}; capped at {SafeIsa} because the host hides its CPU caches", null)
            : new("proxy", "native", $"{why}; could not set ONEDNN_MAX_CPU_ISA", null);
    }

    private static string CachePath(string key)
    {
        var root = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(root, "autotimm", "onednn", $"{key}.json");
    }

    private static OneDnnVerdict? ReadCached(string path, string key)
    {
        try
        {
            if (!File.Exists(path)) return null;
            var verdict = JsonSerializer.Deserialize<OneDnnVerdict>(File.ReadAllText(path), OneDnnJson.Options);
            return verdict is { FormatVersion: OneDnnVerdict.CurrentFormat } && verdict.Key == key && verdict.Candidates is { Count: > 0 } ? verdict : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or NotSupportedException)
        {
            return null;
        }
    }

    private static void TryWrite(string path, OneDnnVerdict verdict)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            AtomicFile.WriteAllText(path, JsonSerializer.Serialize(verdict, OneDnnJson.Options));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not cached: the next process probes again.
        }
    }
}
