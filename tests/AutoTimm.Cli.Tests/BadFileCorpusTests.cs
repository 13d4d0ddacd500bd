using System.Text.Json;

namespace AutoTimm.Cli.Tests;

/// <summary>
/// The committed corpus of broken files (tests/fixtures/bad-files, made by tools/fixtures/make_bad_files.py): each
/// gives its expected exit code and an error that names the file and the problem, never a crash or a trace; a
/// pickle that asks to run code runs nothing; and a folder holding them all is explained around them.
/// </summary>
public sealed class BadFileCorpusTests
{
    private static readonly string Corpus = Path.GetDirectoryName(CliRunner.Fixture("bad-files/expected.json"))!;
    private static readonly string Canvas = CliRunner.Sample("canvases/canvas_test_00000.png");

    public static TheoryData<string, string, int, string> Cases()
    {
        var data = new TheoryData<string, string, int, string>();
        using var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(Corpus, "expected.json")));
        foreach (var entry in expected.RootElement.GetProperty("files").EnumerateArray())
            data.Add(entry.GetProperty("file").GetString()!, entry.GetProperty("as").GetString()!, entry.GetProperty("exit").GetInt32(), entry.GetProperty("error").GetString()!);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Should_answer_each_broken_file_as_expected(string file, string givenAs, int exit, string error)
    {
        var path = Path.Combine(Corpus, file);
        var (code, json) = givenAs == "image"
            ? CliRunner.Run("predict", "--image", path)
            : CliRunner.Run("predict", "--checkpoint", path, "--image", Canvas);
        Assert.Equal(exit, code);
        if (exit == 0)
        {
            Assert.True(json.TryGetProperty("predicted_class", out _));
            return;
        }
        var message = json.GetProperty("error").GetString()!;
        Assert.Contains(error, message, StringComparison.Ordinal);
        Assert.Contains(file, message, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_run_nothing_a_pickle_asks_for()
    {
        var marker = "/tmp/autotimm-pwned";
        File.Delete(marker);
        CliRunner.Run("predict", "--checkpoint", Path.Combine(Corpus, "pickle-runs-code.pth"), "--arch", "resnet10_tiny", "--num-classes", "10", "--image", Canvas);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public void Should_explain_a_folder_around_its_broken_images_listing_each_with_its_reason()
    {
        var output = Directory.CreateTempSubdirectory("bad-files-batch-").FullName;
        try
        {
            var (code, json) = CliRunner.Run("explain-batch", "--input-dir", Corpus, "--output-dir", output, "--methods", "gradcam");
            Assert.Equal(0, code);
            Assert.Equal(1, json.GetProperty("explained").GetInt32());
            var failed = json.GetProperty("failed").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
            using var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(Corpus, "expected.json")));
            foreach (var entry in expected.RootElement.GetProperty("files").EnumerateArray().Where(e => e.GetProperty("as").GetString() == "image" && e.GetProperty("exit").GetInt32() != 0))
                Assert.Contains(entry.GetProperty("error").GetString()!, failed[entry.GetProperty("file").GetString()!], StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }
}
