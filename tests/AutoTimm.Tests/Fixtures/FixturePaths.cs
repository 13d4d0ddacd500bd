namespace AutoTimm.Tests.Fixtures;

/// <summary>Locates committed fixtures by walking up from the test binaries to the repository root.</summary>
internal static class FixturePaths
{
    private static readonly Lazy<string> Root = new(FindRoot);

    /// <summary>tests/fixtures/pytorch/&lt;name&gt;.</summary>
    public static string PyTorch(string name)
    {
        var path = Path.Combine(Root.Value, "tests", "fixtures", "pytorch", name);
        return File.Exists(path) ? path : throw new FileNotFoundException($"Fixture missing; regenerate with tools/fixtures/make_pytorch_fixtures.py: {path}", path);
    }

    /// <summary>tests/fixtures/onnx/&lt;name&gt;.</summary>
    public static string Onnx(string name)
    {
        var path = Path.Combine(Root.Value, "tests", "fixtures", "onnx", name);
        return File.Exists(path) ? path : throw new FileNotFoundException($"Fixture missing; regenerate with tools/onnx/make_onnx_fixtures.py: {path}", path);
    }

    /// <summary>assets/&lt;relative&gt; (sample photos and canvases).</summary>
    public static string Asset(string relative)
    {
        var path = Path.Combine(Root.Value, "assets", relative);
        return File.Exists(path) ? path : throw new FileNotFoundException($"Asset missing: {path}", path);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (Directory.Exists(Path.Combine(dir.FullName, "tests", "fixtures")) && File.Exists(Path.Combine(dir.FullName, "AutoTimm.slnx")))
                return dir.FullName;
        }
        throw new DirectoryNotFoundException($"No repository root (AutoTimm.slnx + tests/fixtures) above {AppContext.BaseDirectory}.");
    }
}
