using System.Runtime.InteropServices;

namespace AutoTimm.Native;

/// <summary>
/// Keeps libtorch's large CPU buffers from being handed back to the kernel after every use. libtorch allocates each
/// activation and gradient afresh; glibc serves buffers above its mmap threshold with a fresh <c>mmap</c> and
/// unmaps them on free, so every training or explanation step page-faults its whole working set in again. On
/// virtual machines, where a page fault is expensive, that made a small CNN's training step 3-4x slower (measured:
/// resnet10_tiny, batch 128 at 64 px, 2 threads: 35-47 img/s as shipped, 140-160 img/s tuned).
/// </summary>
/// <remarks>
/// <para>
/// Applied once before libtorch loads, unless the user set glibc's malloc tunables already: glibc's mmap and trim
/// thresholds raised with <c>mallopt</c>, so buffers up to 32 MB are reused from the heap. Set
/// <c>AUTOTIMM_CPU_ALLOCATOR=default</c> to leave the allocator as shipped.
/// </para>
/// <para>
/// libtorch's transparent-huge-page allocation (<c>THP_MEM_ALLOC_ENABLE=1</c>) was part of this tuning and is no
/// longer: measured on this project's 2-core machine kind, it doubled the peak memory of Integrated Gradients with
/// 200 steps on ResNet-50 (3.3 GB against 1.7 GB without it) and made nothing faster (that run 47 s with it, 42 s
/// without; a resnet10_tiny training step at batch 128, 64 px: 996 and 890 ms with it, 944 and 765 ms without, against
/// 1013 and 1078 ms with the allocator as shipped). A user who sets the variable still gets it.
/// </para>
/// </remarks>
internal static partial class CpuAllocatorTuning
{
    private const int MallocTrimThreshold = -1;
    private const int MallocMmapThreshold = -3;
    private const int MmapThresholdBytes = 32 * 1024 * 1024;
    private const int TrimThresholdBytes = 512 * 1024 * 1024;

    /// <summary>What was applied, for diagnostics.</summary>
    public static string Status { get; private set; } = "not applied";

    /// <summary>Applies the settings; call before libtorch is loaded.</summary>
    public static void Apply()
    {
        if (!OperatingSystem.IsLinux())
        {
            Status = "skipped: not Linux";
            return;
        }
        if (string.Equals(Environment.GetEnvironmentVariable("AUTOTIMM_CPU_ALLOCATOR"), "default", StringComparison.OrdinalIgnoreCase))
        {
            Status = "skipped: AUTOTIMM_CPU_ALLOCATOR=default";
            return;
        }
        try
        {
            var applied = new List<string>();
            // An explicit GLIBC_TUNABLES setting of the user's wins over ours.
            if (!(Environment.GetEnvironmentVariable("GLIBC_TUNABLES") ?? "").Contains("glibc.malloc.", StringComparison.Ordinal)
                && MallOpt(MallocMmapThreshold, MmapThresholdBytes) == 1 && MallOpt(MallocTrimThreshold, TrimThresholdBytes) == 1)
                applied.Add("mmap/trim thresholds 32 MB/512 MB");
            Status = applied.Count == 0 ? "unchanged: set by the user" : string.Join(", ", applied);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc (musl, for one): nothing to tune.
            Status = $"skipped: {e.Message}";
        }
    }

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int MallOpt(int parameter, int value);
}
