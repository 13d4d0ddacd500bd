using System.Runtime.InteropServices;

namespace AutoTimm.Native;

/// <summary>
/// Keeps libtorch's oneDNN convolutions off the kernels that compute wrong results on hosts that hide their CPU
/// cache sizes. oneDNN sizes its AVX-512/AVX2 convolution blocking from the caches it detects; on virtual machines
/// that report none (no <c>/sys/devices/system/cpu/cpu0/cache</c>, as on this project's CI machines, AMD EPYC
/// family 26) some of those kernels were measured wrong against float64: input gradients of 3x3 stride-1 and
/// 8x8 stride-8 convolutions (NCHW), and the forward of a 1x1 stride-2 256-to-512 convolution (NHWC), off by more
/// than the values' own size. Capped at AVX, every convolution matched float64.
/// </summary>
/// <remarks>
/// Applied once before libtorch loads, only where the host hides its caches and the user has set neither
/// <c>ONEDNN_MAX_CPU_ISA</c> nor <c>DNNL_MAX_CPU_ISA</c>; <c>AUTOTIMM_ONEDNN_ISA=native</c> opts out. It costs
/// speed (resnet10_tiny training, batch 128, 2 threads: 124-133 images/s capped against 227-236 uncapped on the CI
/// machines) and buys correct gradients, which every attribution method and every training step depends on.
/// </remarks>
internal static class OneDnnSafety
{
    /// <summary>The ISA oneDNN is capped at on hosts that hide their caches.</summary>
    public const string SafeIsa = "AVX";

    private const string CacheInfoFolder = "/sys/devices/system/cpu/cpu0/cache";

    /// <summary>What was decided, for diagnostics.</summary>
    public static string Status { get; private set; } = "not applied";

    /// <summary>Applies the cap where needed; call before libtorch is loaded.</summary>
    public static void Apply()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            Status = "skipped: not Linux x64";
            return;
        }
        if (string.Equals(Environment.GetEnvironmentVariable("AUTOTIMM_ONEDNN_ISA"), "native", StringComparison.OrdinalIgnoreCase))
        {
            Status = "skipped: AUTOTIMM_ONEDNN_ISA=native";
            return;
        }
        if (Environment.GetEnvironmentVariable("ONEDNN_MAX_CPU_ISA") is not null || Environment.GetEnvironmentVariable("DNNL_MAX_CPU_ISA") is not null)
        {
            Status = "unchanged: ISA set by the user";
            return;
        }
        if (Directory.Exists(CacheInfoFolder) && Directory.EnumerateDirectories(CacheInfoFolder, "index*").Any())
        {
            Status = "unchanged: the host reports its caches";
            return;
        }
        Status = NativeEnvironment.Set("ONEDNN_MAX_CPU_ISA", SafeIsa)
            ? $"ONEDNN_MAX_CPU_ISA={SafeIsa}: the host hides its CPU caches"
            : "failed: could not set ONEDNN_MAX_CPU_ISA";
    }
}
