using System.Text.Json;

namespace AutoTimm.Cli.Tests;

/// <summary><c>autotimm report</c>: its inputs and errors (the page itself is tested in a browser in AutoTimm.Browser.Tests).</summary>
public sealed class ReportCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("autotimm-report-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Canvas(int i) => CliRunner.Sample($"canvases/canvas_test_{i:00000}.png");

    [Fact]
    public void Should_report_a_folder_with_pages_named_by_path_inside_it()
    {
        var images = Directory.CreateDirectory(Path.Combine(_dir, "images"));
        File.Copy(Canvas(0), Path.Combine(images.FullName, "a.png"));
        Directory.CreateDirectory(Path.Combine(images.FullName, "sub"));
        File.Copy(Canvas(3), Path.Combine(images.FullName, "sub", "b.png"));
        var output = Path.Combine(_dir, "r.html");
        var (code, json) = CliRunner.Run("report", "--images", images.FullName, "--methods", "gradcam", "--output", output);
        Assert.True(code == 0, json.ToString());
        Assert.Equal(["a.png", "sub/b.png"], json.GetProperty("images").EnumerateArray().Select(i => i.GetProperty("image").GetString()));
        Assert.All(json.GetProperty("images").EnumerateArray(), i => Assert.Equal(1, i.GetProperty("methods").GetInt32()));
        Assert.Equal(new FileInfo(output).Length, json.GetProperty("bytes").GetInt64());
        Assert.Contains("\"name\":\"sub/b.png\"", File.ReadAllText(output));
        // Nothing but the report is written beside it.
        Assert.Equal([output], Directory.GetFiles(_dir));
    }

    public static TheoryData<string[], string> BadInputs => new()
    {
        { ["--images", "missing.png"], "missing.png: no such file" },
        { ["--images", "EMPTY"], "the folder has no images" },
        { ["--images", "A", "A"], "is given twice" },
        { ["--images", "A", "--output", "r.txt"], "give a name ending in .html" },
        { ["--images", "A", "--output", "nofolder/r.html"], "does not exist" },
        { ["--images", "A", "B", "--max-images", "1"], "2 images, more than --max-images 1" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void Should_name_the_problem_with_the_inputs_and_write_nothing(string[] args, string message)
    {
        Directory.CreateDirectory(Path.Combine(_dir, "EMPTY"));
        var resolved = args.Select(a => a switch
        {
            "A" => Canvas(0),
            "B" => Canvas(3),
            "EMPTY" => Path.Combine(_dir, "EMPTY"),
            _ when a.EndsWith(".html", StringComparison.Ordinal) || a.EndsWith(".txt", StringComparison.Ordinal) || a.EndsWith(".png", StringComparison.Ordinal) => Path.Combine(_dir, a),
            _ => a,
        }).ToList();
        if (!resolved.Contains("--output")) resolved.AddRange(["--output", Path.Combine(_dir, "r.html")]);
        var (code, json) = CliRunner.Run(["report", .. resolved, "--methods", "gradcam"]);
        Assert.Equal(1, code);
        Assert.Contains(message, json.GetProperty("error").GetString());
        Assert.Empty(Directory.GetFiles(_dir, "*", SearchOption.AllDirectories));
    }
}
