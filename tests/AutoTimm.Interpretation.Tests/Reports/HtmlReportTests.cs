using System.Text.Json;
using System.Text.RegularExpressions;
using AutoTimm.Imaging;
using AutoTimm.Interpretation.Engine;
using AutoTimm.Interpretation.Reports;
using AutoTimm.Interpretation.Targets;

namespace AutoTimm.Interpretation.Tests.Reports;

/// <summary>What the report file holds, read back without a browser (the browser tests are in AutoTimm.Browser.Tests).</summary>
public sealed partial class HtmlReportTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("autotimm-report-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [GeneratedRegex("<script type=\"application/json\" id=\"report-data\">(.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex Island();

    private static Heatmap Map(int width, int height, Func<int, int, float> value, string method = "gradcam")
    {
        var raw = new float[width * height];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                raw[y * width + x] = value(x, y);
        return new Heatmap(raw, height, width) { Method = method, Target = new ClassTarget(0), Prediction = new ClassPrediction(0, [1f]) };
    }

    private static ReportImage Page(string name, Heatmap map) => new()
    {
        Name = name,
        Image = RgbImage.Filled(map.Width, map.Height, new Rgb(10, 20, 30)),
        PredictedLabel = "a",
        Confidence = 1,
        Maps = [new ReportMap(map.Method, map)],
    };

    private static JsonElement Data(string html) => JsonDocument.Parse(Island().Match(html).Groups[1].Value).RootElement;

    [Fact]
    public void Should_store_each_map_in_8_bits_within_half_a_level_of_its_values()
    {
        var random = new Random(7);
        var map = Map(37, 23, (_, _) => (float)random.NextDouble());
        var path = Path.Combine(_dir, "r.html");
        HtmlReport.Write(path, [Page("one", map)]);
        var stored = Data(File.ReadAllText(path)).GetProperty("images")[0].GetProperty("maps")[0];
        double lo = stored.GetProperty("lo").GetDouble(), hi = stored.GetProperty("hi").GetDouble();
        Assert.Equal(map.Values.Min(), lo, 6);
        Assert.Equal(map.Values.Max(), hi, 6);
        var uri = stored.GetProperty("png").GetString()!;
        Assert.StartsWith("data:image/png;base64,", uri);
        var levels = ImageIO.Load(Convert.FromBase64String(uri[(uri.IndexOf(',') + 1)..]));
        Assert.Equal((37, 23), (levels.Width, levels.Height));
        double worst = 0;
        for (int y = 0; y < 23; y++)
            for (int x = 0; x < 37; x++)
            {
                var q = levels.Pixels[(y * 37 + x) * 3];
                Assert.Equal(q, levels.Pixels[(y * 37 + x) * 3 + 2]);
                worst = Math.Max(worst, Math.Abs(lo + q * (hi - lo) / 255 - map[y, x]));
            }
        Assert.True(worst <= (hi - lo) / 510 + 1e-6, $"worst error {worst}");
        Assert.True(worst > (hi - lo) / 2000, "random values do not all fall on levels");
    }

    [Fact]
    public void Should_store_a_constant_map_as_level_zero_with_its_value_as_the_range()
    {
        var (levels, lo, hi) = ReportDocument.Quantize([0.25f, 0.25f, 0.25f]);
        Assert.Equal([0, 0, 0], levels);
        Assert.Equal((0.25, 0.25), (lo, hi));
        Assert.Throws<ArgumentException>(() => ReportDocument.Quantize([0f, float.PositiveInfinity]));
    }

    [Fact]
    public void Should_embed_plotly_once_for_many_images_and_keep_user_text_inside_the_json_island()
    {
        const string hostile = "</script><script>alert(1)</script><!-- & é";
        var pages = Enumerable.Range(0, 10).Select(i => Page(i == 3 ? hostile : $"image {i}", Map(16, 12, (x, y) => x + y * i))).ToList();
        var path = Path.Combine(_dir, "ten.html");
        HtmlReport.Write(path, pages, new ReportOptions { Title = hostile });
        var html = File.ReadAllText(path);
        var packed = ReportAssets.PlotlyGzipBase64;
        int at = html.IndexOf(packed, StringComparison.Ordinal);
        Assert.True(at > 0 && html.IndexOf(packed, at + 1, StringComparison.Ordinal) < 0, "plotly.js is carried exactly once");
        Assert.Single(Regex.Matches(html, "id=\"plotly-gzip\""));
        // What the page unpacks is the vendored bundle, byte for byte.
        using (var gzip = new System.IO.Compression.GZipStream(new MemoryStream(Convert.FromBase64String(packed)), System.IO.Compression.CompressionMode.Decompress))
        using (var reader = new StreamReader(gzip))
            Assert.Equal(ReportAssets.Plotly, reader.ReadToEnd());
        Assert.StartsWith("/**\n* plotly.js v4.1.2", ReportAssets.Plotly);
        Assert.True(new FileInfo(path).Length < packed.Length + 10 * 20_000, $"{new FileInfo(path).Length} bytes for ten small pages");
        // Three script elements close: the JSON island, packed plotly, the page's script.
        Assert.Equal(3, Regex.Matches(html, "</script", RegexOptions.IgnoreCase).Count);
        Assert.Contains("<title>&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;!-- &amp; &#233;</title>", html);
        var data = Data(html);
        Assert.Equal(hostile, data.GetProperty("images")[3].GetProperty("name").GetString());
        Assert.Equal(10, data.GetProperty("images").GetArrayLength());
        // Nothing outside the bundle points anywhere.
        Assert.DoesNotContain("http", html.Replace(ReportAssets.PlotlyGzipBase64, "").Replace("http-equiv", ""));
    }

    [Fact]
    public void Should_name_the_image_and_method_of_a_map_whose_size_differs_and_write_nothing()
    {
        var page = Page("cat.png", Map(8, 8, (x, _) => x)) with { Image = RgbImage.Filled(9, 8, new Rgb(0, 0, 0)) };
        var path = Path.Combine(_dir, "bad.html");
        var error = Assert.Throws<ArgumentException>(() => HtmlReport.Write(path, [page]));
        Assert.Contains("cat.png", error.Message);
        Assert.Contains("gradcam map is 8x8, the image 9x8", error.Message);
        Assert.False(File.Exists(path));
        Assert.Throws<ArgumentException>(() => HtmlReport.Write(path, []));
        Assert.Throws<ArgumentException>(() => HtmlReport.Write(path, [Page("a", Map(4, 4, (x, _) => x))], new ReportOptions { Alpha = 1.5 }));
        Assert.Throws<ArgumentException>(() => HtmlReport.Write(path, [Page("a", Map(4, 4, (x, _) => x))], new ReportOptions { Colormap = "nope" }));
        Assert.Empty(Directory.GetFiles(_dir));
    }
}
