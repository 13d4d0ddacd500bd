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
/// Applied once before libtorch loads, unless the user set glibc's malloc tunables already: with <c>mallopt</c>,
/// malloc takes no buffer from <c>mmap</c> (they all come from the heap and are reused), and the heap is trimmed only
/// when 2 GB at its top are free, so a process keeps the memory of its largest step. Set
/// <c>AUTOTIMM_CPU_ALLOCATOR=default</c> to leave the allocator as shipped.
/// </para>
/// <para>
/// Raising the mmap threshold instead is not enough: glibc caps it at 32 MB, and ResNet-50's activations at batch 25
/// are up to 80 MB. With the threshold at 32 MB, one Grad-CAM at batch 25 spent 0.2-1.9 s of system time in 100-450
/// thousand page faults beside ~2.1 s of user time; with no mmap it spends none (measured on this project's 2-core
/// machine kind: 1043 against 1173 ms, median of 9). The peak RSS of Integrated Gradients with 200 steps on ResNet-50
/// went from 1.48 to 1.55 GB.
/// </para>
/// <para>
/// This helps the process's first thread (the CLI, explain-batch's model loop). Other threads allocate from arenas of
/// at most 64 MB, and glibc maps any larger buffer for them whatever the settings: a batch-25 Grad-CAM run from a
/// worker thread still faulted 240 thousand pages a call. One arena for all threads would cure that, but only when set
/// before the process starts (<c>MALLOC_ARENA_MAX=1</c>): set later with <c>mallopt</c>, threads keep the arenas the
/// .NET runtime's threads created before libtorch loaded (measured: no change).
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
    private const int MallocMmapMax = -4;
    private const int TrimThresholdBytes = int.MaxValue;

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
                && MallOpt(MallocMmapMax, 0) == 1 && MallOpt(MallocTrimThreshold, TrimThresholdBytes) == 1)
                applied.Add("heap only (no mmap), trimmed above 2 GB free");
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
