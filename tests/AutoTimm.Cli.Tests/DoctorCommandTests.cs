namespace AutoTimm.Cli.Tests;

public sealed class DoctorCommandTests
{
    [Fact]
    public void Should_print_the_runtime_and_the_onednn_verdict_as_one_json_object()
    {
        var (code, json) = CliRunner.Run("doctor");
        Assert.Equal(0, code);
        Assert.Equal(AutoTimm.Native.TorchRuntime.Status, json.GetProperty("glue").GetString());
        Assert.StartsWith("2.", json.GetProperty("libtorch").GetString());
        Assert.True(json.GetProperty("intra_op_threads").GetInt32() >= 1);
        Assert.Contains(json.GetProperty("loaded_natives").EnumerateArray(), p => p.GetString()!.EndsWith("libtorch_cpu.so", StringComparison.Ordinal));
        Assert.Equal(AutoTimm.Native.TorchRuntime.Allocator, json.GetProperty("allocator").GetString());

        var onednn = json.GetProperty("one_dnn");
        Assert.Equal(AutoTimm.Native.TorchRuntime.OneDnn.Isa, onednn.GetProperty("isa").GetString());
        if (onednn.GetProperty("source").GetString() is "probe" or "cache")
        {
            // The verdict carries the errors it measured, per check.
            var chosen = onednn.GetProperty("verdict").GetProperty("candidates").EnumerateArray().Last();
            Assert.True(chosen.GetProperty("passed").GetBoolean());
            Assert.All(chosen.GetProperty("checks").EnumerateArray(), check =>
            {
                Assert.InRange(check.GetProperty("bound_ratio").GetDouble(), 0, 1);
                Assert.True(check.GetProperty("relative_error").GetDouble() < 1e-4);
            });
        }
    }
}
