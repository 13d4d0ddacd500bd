using System.Security.Cryptography;
using System.Text;
using TorchSharp;

namespace AutoTimm.Native;

/// <summary>
/// What a oneDNN verdict depends on: the CPU (vendor, model, family, stepping, microcode, flags), the caches the host
/// reports (oneDNN sizes its blocking from them), the core count (libtorch's default thread count), and the libtorch
/// build. Read without loading libtorch.
/// </summary>
internal sealed record HostSignature(string Description, string Libtorch, IReadOnlySet<string> Flags, string Key)
{
    public static HostSignature Current()
    {
        var cpu = FirstProcessor();
        string Field(string name) => cpu.TryGetValue(name, out var v) ? v : "?";
        var flags = Field("flags").Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        var caches = CacheSizes();
        var description = $"{Field("model name")}, {Field("vendor_id")} family {Field("cpu family")} model {Field("model")} stepping {Field("stepping")}, " +
                          $"microcode {Field("microcode")}, caches {caches}, {Environment.ProcessorCount} cores";
        var libtorch = LibtorchBuild();
        // The probe's cases are part of what was measured: a changed probe measures again.
        var material = string.Join("\n", description, string.Join(' ', flags.Order(StringComparer.Ordinal)), libtorch, string.Join(";", OneDnnProbe.Cases));
        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(material)))[..16];
        return new HostSignature(description, libtorch, flags, key);
    }

    private static Dictionary<string, string> FirstProcessor()
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
            {
                if (line.Length == 0 && fields.Count > 0) break;
                int colon = line.IndexOf(':');
                if (colon > 0) fields.TryAdd(line[..colon].Trim(), line[(colon + 1)..].Trim());
            }
        }
        catch (IOException)
        {
            // No cpuinfo: the signature says "?" for every field.
        }
        return fields;
    }

    private static string CacheSizes()
    {
        const string folder = "/sys/devices/system/cpu/cpu0/cache";
        try
        {
            var sizes = Directory.Exists(folder)
                ? Directory.EnumerateDirectories(folder, "index*").Order(StringComparer.Ordinal)
                    .Select(d => $"L{Read(Path.Combine(d, "level"))}{Read(Path.Combine(d, "type"))[0]} {Read(Path.Combine(d, "size"))}").ToList()
                : [];
            return sizes.Count == 0 ? "hidden" : string.Join(", ", sizes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or IndexOutOfRangeException)
        {
            return "unreadable";
        }

        static string Read(string path) => File.Exists(path) ? File.ReadAllText(path).Trim() : "?";
    }

    /// <summary>TorchSharp's version and the size of the libtorch_cpu library it will load.</summary>
    private static string LibtorchBuild()
    {
        var torchSharp = typeof(torch).Assembly;
        var version = torchSharp.GetName().Version?.ToString() ?? "?";
        var library = NativeFiles.Find(torchSharp, "libtorch_cpu.so").FirstOrDefault();
        return library is null ? $"TorchSharp {version}" : $"TorchSharp {version}, libtorch_cpu.so {LibrarySize(library)} bytes";
    }

    /// <summary>A library's size; apps may link the large natives instead of copying them, so a link's is its target's.</summary>
    internal static long LibrarySize(string path)
    {
        var file = new FileInfo(path);
        var target = file.LinkTarget is null ? file : file.ResolveLinkTarget(returnFinalTarget: true) as FileInfo ?? file;
        return target.Length;
    }
}
