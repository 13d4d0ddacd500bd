using AutoTimm.Imaging;

namespace AutoTimm.Tests.Imaging;

/// <summary>Locates tests/fixtures/imaging (written by tools/fixtures/make_imaging_fixtures.py) and compares images.</summary>
internal static class ImagingFixtures
{
    private static readonly Lazy<string> RootPath = new(FindRoot);

    public static string Root => RootPath.Value;

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    public static RgbImage Load(params string[] parts) => ImageIO.Load(PathOf(parts));

    /// <summary>Largest per-channel difference between two images of the same size.</summary>
    public static int MaxAbsDiff(RgbImage expected, RgbImage actual)
    {
        Assert.Equal((expected.Width, expected.Height), (actual.Width, actual.Height));
        var a = expected.Pixels;
        var b = actual.Pixels;
        var max = 0;
        for (var i = 0; i < a.Length; i++) max = Math.Max(max, Math.Abs(a[i] - b[i]));
        return max;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "fixtures", "imaging");
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException($"tests/fixtures/imaging not found above {AppContext.BaseDirectory}.");
    }
}
