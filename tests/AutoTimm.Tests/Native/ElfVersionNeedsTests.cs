using AutoTimm.Native;

namespace AutoTimm.Tests.Native;

public sealed class ElfVersionNeedsTests
{
    /// <summary>TorchSharp's glue as shipped in the NuGet package (never the patched copy in the build output).</summary>
    internal static string ShippedGlue()
    {
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var path = Path.Combine(packages, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        return File.Exists(path) ? path : throw new FileNotFoundException("TorchSharp 0.107.0 is not in the NuGet cache", path);
    }

    [Fact]
    public void Should_find_the_glibcxx_3_4_32_requirement_bound_only_to_the_init_anchor()
    {
        var elf = ElfVersionNeeds.Parse(File.ReadAllBytes(ShippedGlue()));
        var requirement = Assert.Single(elf.Requirements, r => r.Version == "GLIBCXX_3.4.32");
        Assert.Equal("libstdc++.so.6", requirement.Library);
        Assert.False(requirement.IsWeak);
        Assert.All(elf.SymbolsBoundTo(requirement), s => Assert.Equal("_ZSt21ios_base_library_initv", s));
        Assert.True(elf.Requirements.Count > 20);
    }

    [Fact]
    public void Should_mark_only_the_missing_version_weak_and_change_nothing_else()
    {
        var original = File.ReadAllBytes(ShippedGlue());
        var patched = TorchRuntime.WeakenAnchorOnlyVersions(original, ["GLIBCXX_3.4.32"], "glue")!;
        Assert.Equal(original.Length, patched.Length);
        Assert.Equal(1, original.Zip(patched).Count(p => p.First != p.Second));
        var elf = ElfVersionNeeds.Parse(patched);
        Assert.True(elf.Requirements.Single(r => r.Version == "GLIBCXX_3.4.32").IsWeak);
        Assert.All(elf.Requirements.Where(r => r.Version != "GLIBCXX_3.4.32"), r => Assert.False(r.IsWeak));
        Assert.Null(TorchRuntime.WeakenAnchorOnlyVersions(patched, ["GLIBCXX_3.4.32"], "glue"));
    }

    [Fact]
    public void Should_refuse_to_weaken_a_version_that_real_symbols_need()
    {
        var original = File.ReadAllBytes(ShippedGlue());
        var e = Assert.Throws<TorchRuntimeException>(() => TorchRuntime.WeakenAnchorOnlyVersions(original, ["GLIBCXX_3.4.21"], "glue"));
        Assert.Contains("GLIBCXX_3.4.21", e.Message);
        Assert.Contains("lacks it", e.Message);
    }

    [Fact]
    public void Should_reject_files_that_are_not_64_bit_elf()
    {
        Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.Parse("not an elf file at all, really"u8.ToArray()));
    }

    [Fact]
    public void Should_read_the_versions_a_cxx_runtime_defines()
    {
        var runtime = File.ReadLines("/proc/self/maps").Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(p => p.Length >= 6 && Path.GetFileName(p[5]).StartsWith("libstdc++.so.6", StringComparison.Ordinal)).Select(p => p[5]).First();
        var defined = ElfVersionNeeds.Parse(File.ReadAllBytes(runtime)).DefinedVersions;
        Assert.Contains("GLIBCXX_3.4", defined);
        Assert.Contains("CXXABI_1.3", defined);
        bool hasString = File.ReadAllBytes(runtime).AsSpan().IndexOf("GLIBCXX_3.4.32\0"u8) >= 0;
        Assert.Equal(hasString, defined.Contains("GLIBCXX_3.4.32"));
    }
}
