namespace AutoTimm.Cli.Tests;

public sealed class PredictCommandTests
{
    [Theory]
    [InlineData("pytorch/vit_small.pth")]
    [InlineData("pytorch/vit_small.safetensors")]
    public void Should_print_pytorch_logits_for_an_imported_state_dict(string checkpoint)
    {
        var (code, json) = CliRunner.Run("predict", "--checkpoint", CliRunner.Fixture(checkpoint), "--arch", "vit_femto_patch8_32",
            "--image", CliRunner.Fixture("pytorch/vit_small_input.npy"), "--logits", "--top-k", "3");
        Assert.Equal(0, code);
        var expected = AutoTimm.Imaging.Npy.Load(CliRunner.Fixture("pytorch/vit_small_logits.npy")).data<float>().ToArray();
        var logits = json.GetProperty("logits").EnumerateArray().Select(e => e.GetSingle()).ToArray();
        Assert.Equal(expected.Length, logits.Length);
        for (int i = 0; i < logits.Length; i++) Assert.True(Math.Abs(expected[i] - logits[i]) <= 1e-4, $"logit {i}");
        int argmax = Array.IndexOf(expected, expected.Max());
        Assert.Equal(argmax, json.GetProperty("predicted_class").GetInt32());
        Assert.Equal(3, json.GetProperty("top_k").GetArrayLength());
        Assert.Equal(argmax, json.GetProperty("top_k")[0].GetProperty("class").GetInt32());
    }

    [Fact]
    public void Should_list_known_architectures_for_an_unknown_one()
    {
        var (code, json) = CliRunner.Run("predict", "--checkpoint", CliRunner.Fixture("pytorch/vit_small.pth"), "--arch", "resnet99", "--image", "x.npy");
        Assert.Equal(1, code);
        Assert.Contains("resnet18", json.GetProperty("error").GetString());
    }

    [Fact]
    public void Should_refuse_a_malicious_pickle_as_a_json_error()
    {
        var (code, json) = CliRunner.Run("predict", "--checkpoint", CliRunner.Fixture("pytorch/malicious_os_system.pth"), "--arch", "resnet18",
            "--image", CliRunner.Fixture("pytorch/vit_small_input.npy"));
        Assert.Equal(1, code);
        Assert.Contains("os.system", json.GetProperty("error").GetString());
        Assert.Equal("UnsafeCheckpointException", json.GetProperty("error_type").GetString());
    }

    [Fact]
    public void Should_name_a_missing_image_and_a_wrong_shape()
    {
        var (code, json) = CliRunner.Run("predict", "--checkpoint", CliRunner.Fixture("pytorch/vit_small.pth"), "--arch", "vit_femto_patch8_32",
            "--image", "/nonexistent/cat.png");
        Assert.Equal(1, code);
        Assert.Contains("/nonexistent/cat.png", json.GetProperty("error").GetString());

        (code, json) = CliRunner.Run("predict", "--checkpoint", CliRunner.Fixture("pytorch/vit_small.pth"), "--arch", "vit_femto_patch8_32",
            "--image", CliRunner.Fixture("pytorch/resnet18_input.npy"));
        Assert.Equal(1, code);
        Assert.Contains("64", json.GetProperty("error").GetString());
    }

    [Fact]
    public void Should_report_usage_errors_as_json()
    {
        var (code, json) = CliRunner.Run("predict", "--bogus");
        Assert.Equal(CliApp.UsageError, code);
        Assert.Contains("--bogus", json.GetProperty("error").GetString());
    }
}
