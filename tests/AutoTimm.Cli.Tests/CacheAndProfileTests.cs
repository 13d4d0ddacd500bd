using System.Text.Json;

namespace AutoTimm.Cli.Tests;

/// <summary><c>--cache-dir</c> and <c>--profile</c> on the verbs that explain.</summary>
public sealed class CacheAndProfileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cli-cache-").FullName;
    private static readonly string Canvas = CliRunner.Sample("canvases/canvas_test_00003.png");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Should_read_an_identical_request_back_from_the_cache_folder_in_a_later_run()
    {
        string[] Args(string output, int steps = 8) => ["interpret", "--image", Canvas, "--methods", "gradcam,integrated_gradients", "--ig-steps", $"{steps}", "--save-raw",
            "--output-dir", Path.Combine(_dir, output), "--cache-dir", Path.Combine(_dir, "cache")];
        var (code, first) = CliRunner.Run(Args("first"));
        Assert.Equal(0, code);
        Assert.Equal((0, 2), (first.GetProperty("cache").GetProperty("hits").GetInt32(), first.GetProperty("cache").GetProperty("misses").GetInt32()));

        var (again, second) = CliRunner.Run(Args("second"));
        Assert.Equal(0, again);
        Assert.Equal(2, second.GetProperty("cache").GetProperty("disk_hits").GetInt32());
        foreach (var file in new[] { "gradcam_raw.npy", "integrated_gradients_raw.npy", "integrated_gradients_attr.npy", "gradcam.png" })
            Assert.Equal(File.ReadAllBytes(Path.Combine(_dir, "first", file)), File.ReadAllBytes(Path.Combine(_dir, "second", file)));
        Assert.Equal(first.GetProperty("predicted_class").GetInt32(), second.GetProperty("predicted_class").GetInt32());

        // Other options are another request.
        var (_, other) = CliRunner.Run(Args("third", steps: 9));
        Assert.Equal((1, 1), (other.GetProperty("cache").GetProperty("hits").GetInt32(), other.GetProperty("cache").GetProperty("misses").GetInt32()));
    }

    [Fact]
    public void Should_time_every_stage_and_write_a_chrome_trace_with_profile()
    {
        var (code, json) = CliRunner.Run("interpret", "--image", Canvas, "--methods", "gradcam", "--output-dir", _dir, "--profile");
        Assert.Equal(0, code);
        var stages = json.GetProperty("stages_ms").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(["decode", "preprocess", "forward", "backward", "render", "write"], stages);
        using var trace = JsonDocument.Parse(File.ReadAllText(json.GetProperty("trace").GetString()!));
        var names = trace.RootElement.GetProperty("traceEvents").EnumerateArray().Select(e => e.GetProperty("name").GetString()).ToHashSet();
        Assert.Superset(new HashSet<string?>(stages), names);
    }
}
