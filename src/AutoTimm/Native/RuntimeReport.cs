using System.Runtime.InteropServices;
using TorchSharp;

namespace AutoTimm.Native;

/// <summary>
/// How the native runtime was set up in this process: .NET and OS, libtorch and where its natives were loaded from,
/// threads, the CPU allocator tuning and the oneDNN ISA decision with the errors it measured.
/// </summary>
public sealed record RuntimeReport(
    string Dotnet, string Os, string ProcessArchitecture, int Cores,
    string Libtorch, string TorchSharp, string Glue, IReadOnlyList<string> LoadedNatives,
    int IntraOpThreads, int InterOpThreads,
    string Allocator, IReadOnlyDictionary<string, string?> AllocatorEnvironment,
    OneDnnDecision OneDnn)
{
    /// <summary>Loads the runtime if needed and describes it.</summary>
    public static RuntimeReport Collect()
    {
        TorchRuntime.EnsureLoaded();
        var environment = new[] { "THP_MEM_ALLOC_ENABLE", "GLIBC_TUNABLES", "ONEDNN_MAX_CPU_ISA", "AUTOTIMM_CPU_ALLOCATOR", "AUTOTIMM_ONEDNN_ISA", "OMP_NUM_THREADS" }
            .ToDictionary(name => name, NativeEnvironment.Get);
        return new RuntimeReport(
            Environment.Version.ToString(), RuntimeInformation.OSDescription, RuntimeInformation.ProcessArchitecture.ToString(), Environment.ProcessorCount,
            torch.__version__, typeof(torch).Assembly.GetName().Version?.ToString() ?? "?", TorchRuntime.Status, LoadedNativeLibraries(),
            torch.get_num_threads(), torch.get_num_interop_threads(),
            TorchRuntime.Allocator, environment, TorchRuntime.OneDnn);
    }

    /// <summary>The TorchSharp glue and libtorch libraries mapped into this process.</summary>
    private static List<string> LoadedNativeLibraries()
    {
        try
        {
            return File.ReadLines("/proc/self/maps")
                .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Where(parts => parts.Length >= 6)
                .Select(parts => parts[5])
                .Where(path => Path.GetFileName(path) is var name && (name.StartsWith("libLibTorchSharp", StringComparison.Ordinal) || name.StartsWith("libtorch", StringComparison.Ordinal) || name.StartsWith("libc10", StringComparison.Ordinal)))
                .Distinct().Order(StringComparer.Ordinal).ToList();
        }
        catch (IOException)
        {
            return [];
        }
    }
}
