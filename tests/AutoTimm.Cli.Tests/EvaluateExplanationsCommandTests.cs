namespace AutoTimm.Cli.Tests;

/// <summary><c>autotimm evaluate-explanations</c> on the bundled CNN and the sample canvases with their masks.</summary>
public sealed class EvaluateExplanationsCommandTests
{
    private static readonly string Canvases = Path.GetDirectoryName(CliRunner.Sample("canvases/canvases.json"))!;

    [Fact]
    public void Should_print_methods_by_metrics_and_write_the_table_and_charts()
    {
        var output = Path.Combine(Path.GetTempPath(), $"evaluate-explanations-{Guid.NewGuid():N}");
        try
        {
            var (code, json) = CliRunner.Run("evaluate-explanations", "--data", Canvases, "--n", "4", "--methods", "gradcam,center",
                "--metrics", "deletion,insertion,localization", "--output-dir", output);
            Assert.Equal(0, code);
            Assert.Equal(4, json.GetProperty("images").GetInt32());
            var methods = json.GetProperty("methods");
            Assert.Equal(["gradcam", "center"], methods.EnumerateArray().Select(m => m.GetProperty("method").GetString()));
            var gradCam = methods[0].GetProperty("scores");
            foreach (var score in new[] { "deletion_auc", "insertion_auc", "pointing_game", "relevance_mass", "iou" })
            {
                var summary = gradCam.GetProperty(score);
                Assert.Equal(4, summary.GetProperty("count").GetInt32());
                Assert.InRange(summary.GetProperty("mean").GetDouble(), summary.GetProperty("ci_low").GetDouble(), summary.GetProperty("ci_high").GetDouble());
            }
            // The bundled CNN's Grad-CAM beats the centre baseline on deletion and points at the item (measured: 4 of 4).
            Assert.True(gradCam.GetProperty("deletion_auc").GetProperty("mean").GetDouble() < methods[1].GetProperty("scores").GetProperty("deletion_auc").GetProperty("mean").GetDouble());
            Assert.True(gradCam.GetProperty("pointing_game").GetProperty("mean").GetDouble() >= 0.75);
            Assert.True(methods[0].GetProperty("milliseconds_per_image").GetDouble() > 0);
            var files = json.GetProperty("files").EnumerateArray().Select(f => Path.GetFileName(f.GetString())).ToList();
            Assert.Equal(["comparison.json", "comparison.md", "deletion_curves.png", "insertion_curves.png"], files);
            Assert.Contains("| Grad-CAM |", File.ReadAllText(Path.Combine(output, "comparison.md")), StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
        }
    }

    [Theory]
    [InlineData("--n", "9", "more images than", 1)]
    [InlineData("--metrics", "deletion,speed", "unknown metric 'speed'", 1)]
    // Method names are checked against the registry while parsing: a usage error, before any work.
    [InlineData("--methods", "gradcam,nonsense", "unknown method 'nonsense'", 2)]
    public void Should_answer_bad_requests_with_a_clear_json_error(string flag, string value, string message, int exitCode)
    {
        string[] args = ["evaluate-explanations", "--data", Canvases, "--output-dir", Path.GetTempPath(), flag, value];
        var (code, json) = CliRunner.Run(flag == "--n" ? args : [.. args, "--n", "2"]);
        Assert.Equal(exitCode, code);
        Assert.Contains(message, json.GetProperty("error").GetString(), StringComparison.Ordinal);
    }
}
