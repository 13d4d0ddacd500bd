namespace AutoTimm.Cli.Tests;

/// <summary>The CLI contract: usage errors exit 2 before any work, with the fix in the message; help on stderr without a verb.</summary>
public sealed class CliConventionTests
{
    [Theory]
    [InlineData(new string[0], "no verb given")]
    [InlineData(new[] { "frobnicate" }, "frobnicate")]
    public void Should_print_help_on_stderr_and_exit_2_without_a_known_verb(string[] args, string expected)
    {
        var previous = Console.Error;
        var stderr = new StringWriter();
        Console.SetError(stderr);
        try
        {
            var (code, json) = CliRunner.Run(args);
            Assert.Equal(CliApp.UsageError, code);
            Assert.Contains(expected, json.GetProperty("error").GetString());
            Assert.Equal("autotimm --help", json.GetProperty("usage").GetString());
        }
        finally
        {
            Console.SetError(previous);
        }
        var help = stderr.ToString();
        Assert.Contains("interpret", help);
        Assert.Contains("doctor", help);
        Assert.DoesNotContain("autotimm autotimm", help);
    }

    [Theory]
    [InlineData("--ig-steps", "0", "--ig-steps 0 is outside 1..10000")]
    [InlineData("--smoothgrad-samples", "0", "--smoothgrad-samples 0 is outside 1..100000")]
    [InlineData("--alpha", "NaN", "--alpha NaN is outside 0..1")]
    [InlineData("--smoothgrad-noise", "-1", "outside 0..10")]
    [InlineData("--methods", ",", "names no method")]
    [InlineData("--methods", "gradcam,nope", "unknown method 'nope'")]
    [InlineData("--colormap", "nope", "'nope' not recognized")]
    [InlineData("--ig-baseline", "purple", "'purple' not recognized")]
    [InlineData("--task-class", "Regressor", "'Regressor' not recognized")]
    public void Should_refuse_an_invalid_value_before_any_work_with_exit_2(string option, string value, string expected)
    {
        var output = Path.Combine(Path.GetTempPath(), $"autotimm-usage-{Guid.NewGuid():N}");
        var (code, json) = CliRunner.Run("interpret", "--image", "does-not-exist.png", "--output-dir", output, option, value);
        Assert.Equal(CliApp.UsageError, code);
        Assert.Contains(expected, json.GetProperty("error").GetString());
        Assert.Equal("autotimm interpret --help", json.GetProperty("usage").GetString());
        Assert.False(Directory.Exists(output), "nothing is written on a usage error");
    }

    [Fact]
    public void Should_keep_exit_1_for_a_handled_runtime_error()
    {
        var (code, json) = CliRunner.Run("interpret", "--image", "does-not-exist.png", "--output-dir", Path.Combine(Path.GetTempPath(), $"autotimm-{Guid.NewGuid():N}"));
        Assert.Equal(1, code);
        Assert.Contains("does-not-exist.png", json.GetProperty("error").GetString());
    }

    [Fact]
    public void Should_check_the_device_name_as_usage_and_cuda_availability_as_a_runtime_error()
    {
        var image = CliRunner.Sample("canvases/canvas_test_00003.png");
        var (usage, usageJson) = CliRunner.Run("predict", "--image", image, "--device", "gpu");
        Assert.Equal(CliApp.UsageError, usage);
        Assert.Contains("give cpu, cuda or cuda:N", usageJson.GetProperty("error").GetString());
        var (code, json) = CliRunner.Run("predict", "--image", image, "--device", "cuda:0");
        if (TorchSharp.torch.cuda.is_available()) return;
        Assert.Equal(1, code);
        Assert.Contains("CUDA is not available", json.GetProperty("error").GetString());
        var (cpu, cpuJson) = CliRunner.Run("predict", "--image", image, "--device", "cpu");
        Assert.Equal(0, cpu);
        Assert.Equal(1, cpuJson.GetProperty("predicted_class").GetInt32());
    }
}
