using System.Text.Json;
using AutoTimm.Imaging;

namespace AutoTimm.Interpretation.Tests.Visualization;

/// <summary>
/// Locates tests/fixtures (written by tools/fixtures/make_colormap_tables.py and make_overlay_fixtures.py), builds
/// heatmaps from plain numbers, and compares figures with golden images.
/// </summary>
internal static class VisualizationFixtures
{
    /// <summary>Set to 1 to rewrite golden figures under tests/fixtures/figures from the current rendering.</summary>
    public const string UpdateGoldenVariable = "AUTOTIMM_UPDATE_GOLDEN";

    private static readonly Lazy<string> RootPath = new(FindRoot);

    public static string PathOf(params string[] parts) => Path.Combine([RootPath.Value, .. parts]);

    public static JsonElement Json(params string[] parts)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(PathOf(parts)));
        return document.RootElement.Clone();
    }

    public static float[] Floats(JsonElement array) => array.EnumerateArray().Select(e => (float)e.GetDouble()).ToArray();

    public static byte[] Bytes(JsonElement array) => array.EnumerateArray().Select(e => checked((byte)e.GetInt32())).ToArray();

    public static readonly string[] FashionClasses =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>Probabilities: Sneaker 92.4%, Ankle boot 5%, Sandal 2.6%.</summary>
    public static float[] FashionProbabilities()
    {
        var p = new float[10];
        p[7] = 0.924f;
        p[9] = 0.05f;
        p[5] = 0.026f;
        return p;
    }

    public static Heatmap Map(float[] raw, int width, int height, string method = "gradcam", int target = 7, int predicted = 7, string? layer = "layer4") =>
        new(raw, height, width)
        {
            Method = method,
            Target = new AutoTimm.Interpretation.Targets.ClassTarget(target),
            Prediction = new AutoTimm.Interpretation.Engine.ClassPrediction(predicted, FashionProbabilities()),
            Layer = layer,
        };

    /// <summary>A Gaussian blob centred at (cx, cy) in unit coordinates.</summary>
    public static Heatmap Blob(int width, int height, double cx, double cy, double sigma, string method = "gradcam", int target = 7, int predicted = 7, string? layer = "layer4")
    {
        var raw = new float[width * height];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                double dx = ((x + 0.5) / width) - cx, dy = ((y + 0.5) / height) - cy;
                raw[(y * width) + x] = (float)Math.Exp(-((dx * dx) + (dy * dy)) / (2 * sigma * sigma));
            }
        }
        return Map(raw, width, height, method, target, predicted, layer);
    }

    /// <summary>A small synthetic "photo": a colour ramp with a light ellipse.</summary>
    public static RgbImage Scene(int width, int height) => RgbImage.Create(width, height, (x, y) =>
    {
        double u = (x + 0.5) / width, v = (y + 0.5) / height;
        var inside = (((u - 0.56) * (u - 0.56)) / 0.05) + (((v - 0.47) * (v - 0.47)) / 0.03) < 1;
        return inside ? new Rgb(230, 230, 235) : new Rgb((byte)(40 + (160 * u)), (byte)(60 + (100 * v)), 90);
    });

    /// <summary>Mean absolute difference of each channel (R, G, B) between two images of one size.</summary>
    public static double[] MeanAbsDiffPerChannel(RgbImage expected, RgbImage actual)
    {
        Assert.Equal((expected.Width, expected.Height), (actual.Width, actual.Height));
        var a = expected.Pixels;
        var b = actual.Pixels;
        var sums = new double[3];
        for (var i = 0; i < a.Length; i++) sums[i % 3] += Math.Abs(a[i] - b[i]);
        var pixels = (double)expected.Width * expected.Height;
        return [sums[0] / pixels, sums[1] / pixels, sums[2] / pixels];
    }

    /// <summary>
    /// Asserts <paramref name="actual"/> matches tests/fixtures/figures/<paramref name="name"/> within a mean absolute
    /// difference of <paramref name="tolerance"/> levels per channel (text rasterization may differ slightly between
    /// platforms). On failure the actual image is written to <c>actual/</c> beside the test binaries.
    /// </summary>
    public static void AssertMatchesGolden(RgbImage actual, string name, double tolerance = 2.0)
    {
        var golden = PathOf("figures", name);
        if (Environment.GetEnvironmentVariable(UpdateGoldenVariable) == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(golden)!);
            ImageIO.SavePng(actual, golden);
            return;
        }
        Assert.True(File.Exists(golden), $"Golden image {golden} is missing; run the tests once with {UpdateGoldenVariable}=1 to create it.");
        var expected = ImageIO.Load(golden);
        var sameSize = expected.Width == actual.Width && expected.Height == actual.Height;
        var diff = sameSize ? MeanAbsDiffPerChannel(expected, actual) : null;
        if (diff is not null && diff.All(d => d <= tolerance)) return;

        var directory = Path.Combine(AppContext.BaseDirectory, "actual");
        Directory.CreateDirectory(directory);
        var written = Path.Combine(directory, name);
        ImageIO.SavePng(actual, written);
        Assert.Fail(sameSize
            ? $"{name} differs from the golden image: mean |diff| per channel R {diff![0]:F2}, G {diff[1]:F2}, B {diff[2]:F2} > {tolerance}. Actual image: {written}"
            : $"{name} is {actual.Width}x{actual.Height}, the golden image {expected.Width}x{expected.Height}. Actual image: {written}");
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "fixtures");
            if (Directory.Exists(Path.Combine(candidate, "colormaps"))) return candidate;
        }
        throw new DirectoryNotFoundException($"tests/fixtures/colormaps not found above {AppContext.BaseDirectory}.");
    }
}

/// <summary>A fresh empty directory, deleted with its content on dispose.</summary>
internal sealed class ScratchDirectory : IDisposable
{
    public ScratchDirectory() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "autotimm-viz-tests-" + Guid.NewGuid().ToString("N"));

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public string[] Entries() => Directory.GetFileSystemEntries(Path).Select(e => System.IO.Path.GetFileName(e)!).Order(StringComparer.Ordinal).ToArray();

    public void Dispose()
    {
        if (Directory.Exists(Path)) Directory.Delete(Path, recursive: true);
    }
}
