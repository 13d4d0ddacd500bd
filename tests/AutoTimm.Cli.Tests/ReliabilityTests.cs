namespace AutoTimm.Cli.Tests;

/// <summary>Bad input and failed writes give a clear error and leave nothing half-written; exit 0 means something was written.</summary>
public sealed class ReliabilityTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cli-reliability-").FullName;
    private static readonly string Canvas = CliRunner.Sample("canvases/canvas_test_00000.png");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Should_exit_1_with_every_reason_when_no_method_could_write_its_output()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "gradcam.png"));
        Directory.CreateDirectory(Path.Combine(_dir, "gradcampp.png"));
        var (code, json) = CliRunner.Run("interpret", "--image", Canvas, "--methods", "gradcam,gradcampp", "--output-dir", _dir);
        Assert.Equal(1, code);
        Assert.StartsWith("no explanation was written", json.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains("a directory of that name exists", json.GetProperty("errors").GetProperty("gradcampp").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Should_commit_a_methods_figure_and_arrays_together_or_not_at_all()
    {
        // The raw array of gradcam cannot be written: its figure must not be left behind either.
        Directory.CreateDirectory(Path.Combine(_dir, "gradcam_raw.npy"));
        var (code, json) = CliRunner.Run("interpret", "--image", Canvas, "--methods", "gradcam,gradcampp", "--save-raw", "--output-dir", _dir);
        Assert.Equal(0, code);
        Assert.False(json.GetProperty("results").TryGetProperty("gradcam", out _));
        Assert.False(json.GetProperty("timings_ms").TryGetProperty("gradcam", out _));
        Assert.Contains("gradcam_raw.npy", json.GetProperty("errors").GetProperty("gradcam").GetString(), StringComparison.Ordinal);
        Assert.Equal(["gradcam_raw.npy", "gradcampp.png", "gradcampp_raw.npy"], Directory.EnumerateFileSystemEntries(_dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Should_leave_no_figure_of_a_detection_method_whose_arrays_failed()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "gradcam_box0_raw.npy"));
        var (code, json) = CliRunner.Run("interpret", "--task-class", "ObjectDetector", "--image", CliRunner.Sample("multi/multi_test_00000.png"),
            "--methods", "gradcam,eigencam", "--save-raw", "--output-dir", _dir);
        Assert.Equal(0, code);
        Assert.Contains("gradcam_box0_raw.npy", json.GetProperty("errors").GetProperty("gradcam").GetString(), StringComparison.Ordinal);
        var files = Directory.EnumerateFileSystemEntries(_dir).Select(Path.GetFileName).ToList();
        Assert.DoesNotContain(files, f => f!.StartsWith("gradcam_box", StringComparison.Ordinal) && f != "gradcam_box0_raw.npy");
        Assert.Contains(files, f => f!.StartsWith("eigencam_box0", StringComparison.Ordinal));
        foreach (var detection in json.GetProperty("detections").EnumerateArray())
            Assert.False(detection.GetProperty("results").TryGetProperty("gradcam", out _));
    }

    [Theory]
    [InlineData("/dev/zero", "character device")]
    [InlineData("", "the path is empty")]
    public void Should_refuse_an_input_that_is_not_a_regular_file_with_its_name(string image, string message)
    {
        var (code, json) = CliRunner.Run("predict", "--image", image);
        Assert.Equal(1, code);
        Assert.Contains(message, json.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Should_refuse_a_model_with_nan_weights_the_same_way_in_every_verb()
    {
        var path = Path.Combine(_dir, "nan.safetensors");
        using (var model = AutoTimm.Models.ImageClassifier.LoadFromCheckpoint(AutoTimm.Models.BundledModels.CnnPath))
        {
            using (TorchSharp.torch.no_grad()) model.get_parameter("fc.weight")![0, 0].fill_(float.NaN);
            AutoTimm.Models.ModelCheckpoint.Save(model, path);
        }
        var expected = "checkpoint tensor 'fc.weight' holds 1 NaN or Inf values of 1280: the model's weights are broken";
        foreach (var args in new[]
        {
            new[] { "predict", "--checkpoint", path, "--image", Canvas },
            ["evaluate", "--checkpoint", path, "--limit", "4"],
            ["interpret", "--checkpoint", path, "--image", Canvas, "--methods", "gradcam", "--output-dir", _dir],
        })
        {
            var (code, json) = CliRunner.Run(args);
            Assert.Equal(1, code);
            Assert.Contains(expected, json.GetProperty("error").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Should_tell_an_overflowing_finite_input_from_a_nan_input()
    {
        var path = Path.Combine(_dir, "huge.npy");
        using (var huge = TorchSharp.torch.full(3, 64, 64, 3e38f)) AutoTimm.Imaging.Npy.Save(path, huge);
        var (code, json) = CliRunner.Run("predict", "--image", path);
        Assert.Equal(1, code);
        Assert.Contains("from a finite input whose values reach 3E+38", json.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    public void Should_refuse_a_thread_count_libtorch_would_abort_on_before_any_work(string threads)
    {
        var (code, json) = CliRunner.Run("train", "--epochs", "1", "--threads", threads, "--output-dir", _dir);
        Assert.Equal(2, code);
        Assert.Equal($"--threads {threads} is outside 1..1024", json.GetProperty("error").GetString());
        Assert.Empty(Directory.EnumerateFileSystemEntries(_dir));
    }
}
