using AutoTimm.Native;
using TorchSharp;

namespace AutoTimm.Tests.Native;

public sealed class TorchRuntimeTests
{
    [Fact]
    public void Should_load_libtorch_and_compute_on_this_host()
    {
        TorchRuntime.EnsureLoaded();
        using var a = torch.tensor(new float[] { 1, 2, 3 });
        using var b = a * a;
        Assert.Equal(14f, b.sum().item<float>());
        // Loaded as shipped, or after repairing the glue in place (this host's libstdc++ predates GLIBCXX_3.4.32).
        Assert.Matches("^(native|patched: .*libLibTorchSharp.so)$", TorchRuntime.Status);
    }

    [Fact]
    public void Should_run_autograd_after_loading()
    {
        TorchRuntime.EnsureLoaded();
        using var x = torch.tensor(new float[] { 2f }, requires_grad: true);
        using var y = x * x * x;
        var grads = torch.autograd.grad([y], [x]);
        Assert.Equal(12f, grads[0].item<float>(), 5);
    }

    [Fact]
    public void Should_keep_large_buffers_on_the_heap_and_leave_huge_pages_to_the_user()
    {
        TorchRuntime.EnsureLoaded();
        // Huge-page allocation doubled Integrated Gradients' peak memory for no speed (CpuAllocatorTuning remarks):
        // it is never switched on for the user.
        Assert.Equal(Environment.GetEnvironmentVariable("THP_MEM_ALLOC_ENABLE"), NativeEnvironment.Get("THP_MEM_ALLOC_ENABLE"));
        Assert.DoesNotContain("THP_MEM_ALLOC_ENABLE", CpuAllocatorTuning.Status);
        if (Environment.GetEnvironmentVariable("AUTOTIMM_CPU_ALLOCATOR") is not null || (Environment.GetEnvironmentVariable("GLIBC_TUNABLES") ?? "").Contains("glibc.malloc.", StringComparison.Ordinal))
            return;
        Assert.Contains("heap only (no mmap), trimmed above 2 GB free", CpuAllocatorTuning.Status);
        using var big = torch.ones(4, 1024, 1024);
        Assert.Equal(4 * 1024 * 1024, big.sum().item<float>());
    }

    [Fact]
    public void Should_run_onednn_at_the_highest_isa_whose_convolutions_the_probe_measured_right()
    {
        TorchRuntime.EnsureLoaded();
        var decision = TorchRuntime.OneDnn;
        bool userChose = new[] { "ONEDNN_MAX_CPU_ISA", "DNNL_MAX_CPU_ISA", "AUTOTIMM_ONEDNN_ISA" }.Any(v => Environment.GetEnvironmentVariable(v) is not null);
        if (userChose)
        {
            Assert.Equal("user", decision.Source);
            return;
        }
        Assert.Contains(decision.Source, new[] { "probe", "cache" });
        var verdict = decision.Verdict!;
        Assert.Equal(verdict.Isa, decision.Isa);
        Assert.Equal(decision.Isa == "native" ? null : decision.Isa, NativeEnvironment.Get("ONEDNN_MAX_CPU_ISA"));
        // The chosen cap passed every check; every higher one measured failed.
        var chosen = verdict.Candidates[^1];
        Assert.Equal(verdict.Isa, chosen.Isa);
        Assert.True(chosen.Passed);
        Assert.Equal(OneDnnProbe.Cases.Sum(c => c.SpaceToDepth ? 2 : 1) * 2 * 3, chosen.Checks.Count);
        // The 7x7/2 stem and the 8x8/8 and 16x16/16 patch embeddings are checked in the space-to-depth form too.
        Assert.Equal(["7x7/2 3->64 @112", "8x8/8 3->96 @64", "16x16/16 3->192 @112"], OneDnnProbe.Cases.Where(c => c.SpaceToDepth).Select(c => c.Name));
        Assert.All(chosen.Checks, c => Assert.True(c.BoundRatio <= 1, $"{c.Case} {c.Layout} {c.Pass}: {c.BoundRatio}"));
        Assert.All(verdict.Candidates.SkipLast(1), c => Assert.False(c.Passed));
        // Cached where the decision says, and read back the same.
        Assert.True(File.Exists(decision.CacheFile), decision.CacheFile);
        Assert.Contains(verdict.Key, File.ReadAllText(decision.CacheFile!));
    }

    [Fact]
    public void Should_measure_a_cap_in_a_child_process_started_from_this_one()
    {
        TorchRuntime.EnsureLoaded();
        var candidate = OneDnnProbe.MeasureInChild(OneDnnIsa.SafeIsa, TimeSpan.FromMinutes(2));
        Assert.Null(candidate.Failure);
        Assert.Equal(OneDnnProbe.Cases.Sum(c => c.SpaceToDepth ? 2 : 1) * 2 * 3, candidate.Checks.Count);
        Assert.True(candidate.Passed, string.Join("; ", candidate.Checks.Where(c => !c.Passed)));
        // Real measurements: float32 differs from float64, within the bound.
        Assert.All(candidate.Checks, c => Assert.InRange(c.BoundRatio, 1e-7, 1));
    }

    [Theory]
    [InlineData("fpu avx avx2 avx512f avx512bw avx512vl avx512dq", "native,AVX512_CORE,AVX2,AVX")]
    [InlineData("fpu avx avx2", "native,AVX2,AVX")]
    [InlineData("fpu avx avx2 avx512f", "native,AVX2,AVX")]
    [InlineData("fpu sse4_1", "native")]
    public void Should_try_the_caps_the_cpu_has_from_the_highest_down(string flags, string expected)
    {
        var set = flags.Split(' ').ToHashSet();
        Assert.Equal(expected, string.Join(",", OneDnnIsa.Candidates(set)));
    }

    [Fact]
    public void Should_key_the_verdict_by_the_library_a_link_points_to()
    {
        var dir = Directory.CreateTempSubdirectory("autotimm-signature-");
        try
        {
            var library = Path.Combine(dir.FullName, "libtorch_cpu.so");
            File.WriteAllBytes(library, new byte[12345]);
            var link = Path.Combine(dir.FullName, "linked.so");
            File.CreateSymbolicLink(link, library);
            Assert.Equal(12345, HostSignature.LibrarySize(library));
            Assert.Equal(12345, HostSignature.LibrarySize(link));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
