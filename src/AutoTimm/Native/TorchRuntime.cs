using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using TorchSharp;

namespace AutoTimm.Native;

/// <summary>
/// Makes TorchSharp's native glue (<c>libLibTorchSharp.so</c>) load on hosts whose C++ runtime is older than
/// the one it was built against, without root and without manual steps.
/// </summary>
/// <remarks>
/// TorchSharp 0.107's glue requires <c>GLIBCXX_3.4.32</c> only for <c>std::ios_base_library_init()</c>, an
/// initialization anchor that no relocation references. When loading fails for exactly such versions, every copy
/// TorchSharp may load is rewritten (atomically) with those requirements marked weak; where a copy cannot be
/// written, a patched copy in the user's cache directory is loaded instead. On hosts whose runtime is new enough,
/// nothing is touched. Any AutoTimm API calls this before touching libtorch; programs that call TorchSharp first
/// should call <see cref="EnsureLoaded"/> at start-up.
/// </remarks>
public static partial class TorchRuntime
{
    private const string GlueFileName = "libLibTorchSharp.so";
    private const string GlueLibraryName = "LibTorchSharp";

    /// <summary>Symbols that only anchor a runtime version and are never the target of a relocation.</summary>
    private static readonly HashSet<string> AnchorOnlySymbols = ["_ZSt21ios_base_library_initv"];

    private static readonly Lock Gate = new();
    private static string? _status;
    private static IntPtr _redirectedGlue;

    /// <summary>What loading did: "native" (loaded as shipped), "patched: ..." or "redirected: ...".</summary>
    public static string Status => _status ?? "not loaded";

    /// <summary>The oneDNN ISA decision (measured by <see cref="OneDnnIsa"/>'s probe, cached, or set by the user).</summary>
    public static OneDnnDecision OneDnn => OneDnnIsa.Decision;

    /// <summary>What the CPU allocator tuning applied (see <see cref="CpuAllocatorTuning"/>).</summary>
    public static string Allocator => CpuAllocatorTuning.Status;

#pragma warning disable CA2255 // The loader must run before any libtorch call made through this library.
    [ModuleInitializer]
    internal static void InitializeModule() => EnsureLoaded();
#pragma warning restore CA2255

    /// <summary>Loads libtorch and TorchSharp's glue, repairing the glue's version requirements if needed.</summary>
    /// <exception cref="TorchRuntimeException">The natives cannot be found or cannot be made to load.</exception>
    public static void EnsureLoaded()
    {
        if (_status is not null) return;
        lock (Gate)
        {
            if (_status is not null) return;
            if (!OperatingSystem.IsLinux())
            {
                _status = "native";
                return;
            }
            CpuAllocatorTuning.Apply();
            OneDnnIsa.Apply();
            _status = LoadGlue();
        }
    }

    private static string LoadGlue()
    {
        var torchSharp = typeof(torch).Assembly;
        // TorchSharp leaves the backend to the application; without one its glue fails with an undefined C++ symbol.
        if (!NativeLibrary.TryLoad("torch_cpu", torchSharp, null, out _) && NativeFiles.Find(torchSharp, "libtorch_cpu.so").Count == 0)
            throw new TorchRuntimeException(
                "libtorch was not found: TorchSharp leaves the backend to the application. Add the package libtorch-cpu-linux-x64 (version 2.10.0, for CPU on Linux) to your application: dotnet add package libtorch-cpu-linux-x64 --version 2.10.0");
        var copies = NativeFiles.Find(torchSharp, GlueFileName);
        if (copies.Count == 0)
            throw new TorchRuntimeException(
                $"{GlueFileName} was not found next to TorchSharp.dll or the application; reference the TorchSharp and libtorch-cpu-linux-x64 packages and build with a linux-x64 runtime identifier.");

        // Compare what each copy needs with what the C++ runtime already in this process defines, and repair every
        // copy before any is loaded: TorchSharp may pick any of them.
        var patched = new List<string>();
        var readOnly = new List<string>();
        var hostRuntime = LoadedCxxRuntime();
        var defined = hostRuntime is null ? null : ElfVersionNeeds.Parse(File.ReadAllBytes(hostRuntime)).DefinedVersions;
        if (defined is not null)
            foreach (var copy in copies)
                Repair(copy, image => MissingFrom(image, defined), patched, readOnly);

        string error = "";
        if (readOnly.Count == 0)
        {
            if (TryLoad(copies[0], out error)) return patched.Count == 0 ? "native" : $"patched: {string.Join(", ", patched)}";
            // The runtime could not be inspected: repair from the loader's own complaint.
            var complaint = MissingVersions(error);
            if (complaint.Count == 0) throw new TorchRuntimeException($"TorchSharp's native library failed to load: {error}");
            foreach (var copy in copies) Repair(copy, _ => complaint, patched, readOnly);
            if (readOnly.Count == 0)
            {
                if (TryLoad(copies[0], out error)) return $"patched: {string.Join(", ", patched)}";
                throw new TorchRuntimeException($"TorchSharp's native library failed to load even after repair: {error}");
            }
        }
        var missing = defined is not null ? MissingFrom(File.ReadAllBytes(copies[0]), defined) : MissingVersions(error);
        return $"redirected: {LoadFromCache(copies[0], missing)}";
    }

    /// <summary>Required C++ runtime versions of a glue image that the host runtime does not define.</summary>
    private static List<string> MissingFrom(byte[] image, IReadOnlySet<string> defined) =>
        ElfVersionNeeds.Parse(image).Requirements
            .Where(r => r.Library == CxxRuntimeSoname && !r.IsWeak && !defined.Contains(r.Version))
            .Select(r => r.Version).ToList();

    /// <summary>Weakens a copy's missing versions in place; records it as patched, or as read-only when it cannot be written.</summary>
    private static void Repair(string copy, Func<byte[], List<string>> missingOf, List<string> patched, List<string> readOnly)
    {
        var image = File.ReadAllBytes(copy);
        var missing = missingOf(image);
        if (missing.Count == 0 || WeakenAnchorOnlyVersions(image, missing, copy) is not { } fixedImage) return;
        try
        {
            ReplaceAtomically(copy, fixedImage);
            patched.Add(copy);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            readOnly.Add(copy);
        }
    }

    private const string CxxRuntimeSoname = "libstdc++.so.6";

    /// <summary>The C++ runtime mapped into this process (the .NET runtime itself links it), or null.</summary>
    private static string? LoadedCxxRuntime()
    {
        try
        {
            return File.ReadLines("/proc/self/maps")
                .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Where(parts => parts.Length >= 6 && Path.GetFileName(parts[5]).StartsWith(CxxRuntimeSoname, StringComparison.Ordinal))
                .Select(parts => parts[5])
                .FirstOrDefault(File.Exists);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static bool TryLoad(string path, out string error)
    {
        try
        {
            NativeLibrary.Load(path);
            error = "";
            return true;
        }
        catch (DllNotFoundException e)
        {
            error = e.Message;
            return false;
        }
    }

    private static List<string> MissingVersions(string loaderError) =>
        MissingVersionPattern().Matches(loaderError).Select(m => m.Groups[1].Value).Distinct().ToList();

    /// <summary>
    /// Marks the missing versions weak if only anchor symbols are bound to them; returns null when nothing needs
    /// changing, throws when a missing version carries real symbols (the host runtime is genuinely too old).
    /// </summary>
    internal static byte[]? WeakenAnchorOnlyVersions(byte[] image, IReadOnlyCollection<string> missing, string path)
    {
        var elf = ElfVersionNeeds.Parse(image);
        var targets = elf.Requirements.Where(r => missing.Contains(r.Version)).ToList();
        foreach (var r in targets)
        {
            var real = elf.SymbolsBoundTo(r).Where(s => !AnchorOnlySymbols.Contains(s)).ToList();
            if (real.Count > 0)
                throw new TorchRuntimeException(
                    $"{path} needs {r.Version} from {r.Library} for {string.Join(", ", real.Take(5))}; this host's C++ runtime lacks it. Install a newer libstdc++ or use a matching TorchSharp build.");
        }
        var toWeaken = targets.Where(r => !r.IsWeak).ToList();
        return toWeaken.Count == 0 ? null : elf.WithWeakRequirements(toWeaken);
    }

    private static void ReplaceAtomically(string path, byte[] content) => AtomicFile.WriteAllBytes(path, content);

    /// <summary>
    /// For read-only installs: writes a patched copy to the user's cache, beside links to its sibling natives,
    /// loads it, and points TorchSharp's imports at it.
    /// </summary>
    private static string LoadFromCache(string original, IReadOnlyCollection<string> missing)
    {
        var image = File.ReadAllBytes(original);
        var fixedImage = WeakenAnchorOnlyVersions(image, missing, original) ?? image;
        var sourceDir = Path.GetDirectoryName(Path.GetFullPath(original))!;
        // Keyed by the install as well as the file: links point at that install's libtorch.
        var key = Convert.ToHexStringLower(SHA256.HashData([.. image, .. System.Text.Encoding.UTF8.GetBytes(sourceDir)]))[..16];
        var cacheRoot = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        Exception? last = null;
        foreach (var root in new[] { cacheRoot, Path.GetTempPath() })
        {
            try
            {
                var dir = Path.Combine(root, "autotimm", "native", key);
                Directory.CreateDirectory(dir);
                foreach (var sibling in Directory.GetFiles(sourceDir, "*.so*"))
                {
                    if (Path.GetFileName(sibling) == GlueFileName) continue;
                    var link = Path.Combine(dir, Path.GetFileName(sibling));
                    var info = new FileInfo(link);
                    if (info.LinkTarget == sibling && File.Exists(sibling)) continue;
                    if (info.Exists || info.LinkTarget is not null) File.Delete(link);
                    try
                    {
                        File.CreateSymbolicLink(link, sibling);
                    }
                    catch (IOException) when (new FileInfo(link).LinkTarget == sibling)
                    {
                        // Another process made the same link at the same moment.
                    }
                }
                var target = Path.Combine(dir, GlueFileName);
                if (!File.Exists(target) || !File.ReadAllBytes(target).AsSpan().SequenceEqual(fixedImage))
                    ReplaceAtomically(target, fixedImage);
                if (!TryLoad(target, out var error))
                    throw new TorchRuntimeException($"TorchSharp's native library failed to load even after repair: {error}");
                _redirectedGlue = NativeLibrary.Load(target);
                AssemblyLoadContext.Default.ResolvingUnmanagedDll += (assembly, name) =>
                    name == GlueLibraryName ? _redirectedGlue : IntPtr.Zero;
                try
                {
                    NativeLibrary.SetDllImportResolver(typeof(torch).Assembly, (name, _, _) =>
                        name == GlueLibraryName ? _redirectedGlue : IntPtr.Zero);
                }
                catch (InvalidOperationException)
                {
                    // TorchSharp registered its own resolver; the load-context event above still covers the glue.
                }
                return target;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                last = e;
            }
        }
        throw new TorchRuntimeException(
            $"{original} cannot be repaired in place and no writable cache folder was found ({last?.Message}); make the install writable once, or set XDG_CACHE_HOME");
    }

    [GeneratedRegex(@"version `([^']+)' not found")]
    private static partial Regex MissingVersionPattern();
}

/// <summary>The native torch runtime could not be loaded.</summary>
public sealed class TorchRuntimeException(string message) : Exception(message);
