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
    public void Should_have_libtorch_allocate_large_buffers_as_huge_pages_unless_the_user_chose()
    {
        TorchRuntime.EnsureLoaded();
        if (Environment.GetEnvironmentVariable("AUTOTIMM_CPU_ALLOCATOR") is not null || Environment.GetEnvironmentVariable("THP_MEM_ALLOC_ENABLE") is not null)
        {
            Assert.DoesNotContain("THP_MEM_ALLOC_ENABLE", CpuAllocatorTuning.Status);
            return;
        }
        Assert.Equal("1", NativeEnvironment.Get("THP_MEM_ALLOC_ENABLE"));
        Assert.Contains("THP_MEM_ALLOC_ENABLE=1", CpuAllocatorTuning.Status);
        // A large buffer still works (allocated 2 MB-aligned and advised as huge pages).
        using var big = torch.ones(4, 1024, 1024);
        Assert.Equal(4 * 1024 * 1024, big.sum().item<float>());
    }

    [Fact]
    public void Should_cap_onednn_at_avx_exactly_when_the_host_hides_its_cpu_caches()
    {
        TorchRuntime.EnsureLoaded();
        bool userChose = new[] { "ONEDNN_MAX_CPU_ISA", "DNNL_MAX_CPU_ISA", "AUTOTIMM_ONEDNN_ISA" }.Any(v => Environment.GetEnvironmentVariable(v) is not null);
        bool hidden = !Directory.Exists("/sys/devices/system/cpu/cpu0/cache");
        if (userChose) Assert.DoesNotContain("hides", OneDnnSafety.Status);
        else if (hidden) Assert.Equal(OneDnnSafety.SafeIsa, NativeEnvironment.Get("ONEDNN_MAX_CPU_ISA"));
        else Assert.Null(NativeEnvironment.Get("ONEDNN_MAX_CPU_ISA"));
    }
}
