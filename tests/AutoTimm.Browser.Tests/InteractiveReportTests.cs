using System.Globalization;
using System.Text.RegularExpressions;
using AutoTimm.Interpretation.Reports;
using Microsoft.Playwright;

namespace AutoTimm.Browser.Tests;

/// <summary>The interactive report in a real browser, offline: drawn plots, hover values, zoom, controls, navigation.</summary>
[Collection(BrowserCollection.Name)]
public sealed partial class InteractiveReportTests(BrowserFixture browser)
{
    private const string GradCamPlot = ".plot-card[data-method=gradcam] .js-plotly-plot";
    private const string IgPlot = ".plot-card[data-method=integrated_gradients] .js-plotly-plot";
    private const string ImagePlot = ".plot-card:not([data-method]) .js-plotly-plot";

    [GeneratedRegex(@"x: (\d+)\s*y: (\d+)\s*importance: ([0-9.]+)")]
    private static partial Regex HoverText();

    private static async Task<OpenedReport> Open(IBrowser browser, TempFolder folder, params ReportImage[] images)
    {
        var path = folder.File("report.html");
        HtmlReport.Write(path, images, new ReportOptions { Title = "test report" });
        return await OpenedReport.OpenAsync(browser, path);
    }

    [Fact]
    public async Task EveryPlotIsDrawn_AndNoRequestLeavesThePage()
    {
        using var folder = new TempFolder();
        await using var report = await Open(browser.Browser, folder, SyntheticReports.Classification("cat.png"));
        var page = report.Page;

        // Image, two maps, histogram, curves.
        var plots = await page.QuerySelectorAllAsync(".js-plotly-plot");
        Assert.Equal(5, plots.Count);
        foreach (var plot in plots)
        {
            var box = await plot.BoundingBoxAsync();
            Assert.True(box is { Width: > 100, Height: > 100 }, $"a plot has size {box?.Width}x{box?.Height}");
        }
        // Each map plot draws its image and its heatmap as pictures with a size; the colorbar is there.
        foreach (var selector in new[] { GradCamPlot, IgPlot })
        {
            Assert.Equal(1, await page.Locator($"{selector} .hm image").CountAsync());
            Assert.Equal(1, await page.Locator($"{selector} .im image").CountAsync());
            Assert.Equal(1, await page.Locator($"{selector} .colorbar").CountAsync());
            var heat = await page.Locator($"{selector} .hm image").BoundingBoxAsync();
            Assert.True(heat is { Width: > 100, Height: > 80 }, $"the heatmap of {selector} is {heat?.Width}x{heat?.Height}");
        }
        Assert.Equal(2, await page.Locator(".plot-card:last-of-type ~ * .bars .point path, .js-plotly-plot .barlayer .trace").CountAsync());
        Assert.Equal(4, await page.Locator(".js-plotly-plot .scatterlayer .trace").CountAsync());

        // Top table, statistics, metrics, errors.
        Assert.Equal(["1", "0", "cat", "70.0%"], (await page.Locator("table.top tbody tr").First.Locator("td").AllInnerTextsAsync()).Take(4));
        Assert.Equal(3, await page.Locator("table.top tbody tr").CountAsync());
        Assert.Equal(2, await page.Locator("table.stats tbody tr").CountAsync());
        var gradcamStats = await page.Locator("table.stats tbody tr").First.Locator("td").AllInnerTextsAsync();
        Assert.Equal(["Grad-CAM", "layer4", "5×6", "12.5"], gradcamStats.Take(4));
        var stats = HeatmapStatistics.Of(SyntheticReports.Map("gradcam", 0));
        Assert.Equal(stats.Mean.ToString("F3", CultureInfo.InvariantCulture), gradcamStats[4]);
        Assert.Equal(stats.Gini.ToString("F3", CultureInfo.InvariantCulture), gradcamStats[6]);
        Assert.Equal(new[] { "Grad-CAM", "0.120", "0.810" }, await page.Locator("table.metrics tbody tr").First.Locator("td").AllInnerTextsAsync());
        Assert.Contains("attention_rollout does not apply", await page.InnerTextAsync(".errors"));

        await page.ScreenshotAsync(new PageScreenshotOptions { Path = folder.Screenshot("report-synthetic.png"), FullPage = true });
        Assert.Empty(report.Problems);
        Assert.Empty(report.ForeignRequests);
        Assert.Contains(report.Url, report.Requests);
    }

    [Fact]
    public async Task HoverShowsTheMapValueAtThePixelUnderThePointer()
    {
        using var folder = new TempFolder();
        var image = SyntheticReports.Classification("cat.png");
        await using var report = await Open(browser.Browser, folder, image);
        var heatmap = image.Maps[0].Heatmap;
        double lo = heatmap.Values.Min(), hi = heatmap.Values.Max();
        // The page shows lo + q (hi - lo) / 255 with 3 decimals: off by at most half a level plus half the last digit.
        double tolerance = (hi - lo) / 510 + 0.0005;
        foreach (var (x, y) in new[] { (37, 12), (9, 0), (5, 33), (0, 0), (47, 39) })
        {
            var (px, py) = await report.PointAsync(GradCamPlot, x, y);
            await report.Page.Mouse.MoveAsync(px, py);
            var hover = report.Page.Locator($"{GradCamPlot} .hoverlayer .hovertext");
            await hover.WaitForAsync();
            var match = HoverText().Match(await hover.TextContentAsync() ?? "");
            Assert.True(match.Success, $"hover text '{await hover.TextContentAsync()}'");
            Assert.Equal(x, int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture));
            Assert.Equal(y, int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
            double shown = double.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture);
            Assert.True(Math.Abs(shown - heatmap[y, x]) <= tolerance, $"({x},{y}): shown {shown}, map {heatmap[y, x]}, tolerance {tolerance}");
            Assert.True(Math.Abs(shown - SyntheticReports.Quantized(heatmap, x, y)) <= 0.0005 + 1e-9);
            await report.Page.Mouse.MoveAsync(1, 1);
        }
        Assert.Empty(report.Problems);
    }

    [Fact]
    public async Task ZoomChangesTheAxisRange_OnEveryImagePlot_AndResetRestoresIt()
    {
        using var folder = new TempFolder();
        await using var report = await Open(browser.Browser, folder, SyntheticReports.Classification("cat.png"));
        double[] full = [-0.5, SyntheticReports.Width - 0.5, SyntheticReports.Height - 0.5, -0.5];
        AssertRanges(full, await report.RangesAsync(GradCamPlot), 1e-9);

        var (x0, y0) = await report.PointAsync(GradCamPlot, 10, 8);
        var (x1, y1) = await report.PointAsync(GradCamPlot, 30, 25);
        var mouse = report.Page.Mouse;
        await mouse.MoveAsync(x0, y0);
        await mouse.DownAsync();
        await mouse.MoveAsync(x1, y1, new MouseMoveOptions { Steps = 12 });
        await mouse.UpAsync();
        await report.Page.WaitForFunctionAsync($"() => document.querySelector('{IgPlot}')._fullLayout.xaxis.range[0] > 0");

        var zoomed = await report.RangesAsync(GradCamPlot);
        // A drag box keeps the image's aspect ratio: one axis spans the box, the other is widened around its centre.
        Assert.True(zoomed[0] >= 9 && zoomed[1] <= 31 && zoomed[1] - zoomed[0] < 25, $"x range {zoomed[0]}..{zoomed[1]}");
        Assert.True(zoomed[2] > zoomed[3], "the y axis stays reversed (row 0 at the top)");
        Assert.True(zoomed[2] - zoomed[3] < 25, $"y range {zoomed[3]}..{zoomed[2]}");
        AssertRanges(zoomed, await report.RangesAsync(IgPlot), 1e-6);
        AssertRanges(zoomed, await report.RangesAsync(ImagePlot), 1e-6);

        await report.Page.GetByRole(AriaRole.Button, new() { Name = "Reset zoom" }).ClickAsync();
        await report.Page.WaitForFunctionAsync($"() => document.querySelector('{IgPlot}')._fullLayout.xaxis.range[0] < 0");
        AssertRanges(full, await report.RangesAsync(GradCamPlot), 1e-9);
        AssertRanges(full, await report.RangesAsync(IgPlot), 1e-9);
        Assert.Empty(report.Problems);
    }

    private static void AssertRanges(double[] expected, double[] actual, double tolerance)
    {
        Assert.Equal(4, actual.Length);
        for (int i = 0; i < 4; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"range {string.Join(", ", actual)} is not {string.Join(", ", expected)}");
    }

    [Fact]
    public async Task OpacityControlSetsEveryHeatmap()
    {
        using var folder = new TempFolder();
        await using var report = await Open(browser.Browser, folder, SyntheticReports.Classification("cat.png"));
        const string opacities = "() => [...document.querySelectorAll('.plot-card[data-method] .js-plotly-plot')].map(gd => gd.data[1].opacity)";
        Assert.Equal(new[] { 0.4, 0.4 }, await report.Page.EvaluateAsync<double[]>(opacities));
        await report.Page.Locator("#opacity").FillAsync("85");
        Assert.Equal(new[] { 0.85, 0.85 }, await report.Page.EvaluateAsync<double[]>(opacities));
        Assert.Equal("85%", await report.Page.InnerTextAsync("output"));
    }

    [Fact]
    public async Task SeveralImages_NavigateBySidebarButtonsKeysAndAddress()
    {
        using var folder = new TempFolder();
        var images = Enumerable.Range(0, 3).Select(i => SyntheticReports.Classification($"image-{i}.png", seed: i, classes: 2)).ToArray();
        await using var report = await Open(browser.Browser, folder, images);
        var page = report.Page;
        Assert.Equal(3, await page.Locator(".nav-item").CountAsync());
        Assert.Equal("image-0.png", await page.InnerTextAsync("h1"));
        Assert.Equal("Top 2", await page.InnerTextAsync(".card h2 >> nth=0"));
        await page.ClickAsync("#next");
        await page.WaitForFunctionAsync("() => document.body.dataset.image === '1' && document.body.dataset.state === 'ready'");
        Assert.Equal("image-1.png", await page.InnerTextAsync("h1"));
        await page.Keyboard.PressAsync("ArrowRight");
        await page.WaitForFunctionAsync("() => document.body.dataset.image === '2' && document.body.dataset.state === 'ready'");
        Assert.EndsWith("#3", page.Url);
        await page.ClickAsync(".nav-item >> nth=0");
        await page.WaitForFunctionAsync("() => document.body.dataset.image === '0' && document.body.dataset.state === 'ready'");
        // Each page has its own maps: image 2's value at a pixel is its own.
        await page.GotoAsync(report.Url + "#2");
        await page.ReloadAsync();
        await report.WaitReadyAsync();
        Assert.Equal("image-1.png", await page.InnerTextAsync("h1"));
        double z = await page.EvaluateAsync<double>($"() => document.querySelector('{GradCamPlot}').data[1].z[12][37]");
        Assert.True(Math.Abs(z - SyntheticReports.Designed(37, 12, 1)) <= 1.0 / 510 + 1e-6);
        // The page's script and plotly.js, unpacked once for all pages.
        Assert.Equal(2, await page.Locator("script:not([type])").CountAsync());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = folder.Screenshot("report-synthetic-3.png"), FullPage = true });
        Assert.Empty(report.Problems);
        Assert.Empty(report.ForeignRequests);
    }

    [Fact]
    public async Task UserTextIsShownAsTypedAndNeverRunsAsMarkup()
    {
        using var folder = new TempFolder();
        const string name = "<img src=x onerror=\"alert('name')\">.png";
        const string label = "</script><script>alert('label')</script>";
        var image = SyntheticReports.Classification(name) with
        {
            PredictedLabel = label,
            TopClasses = [new ReportClassScore(0, label, 0.7), new ReportClassScore(1, "a & b %{z}", 0.3)],
            Errors = new Dictionary<string, string> { ["smoothgrad"] = "<b>bold</b> & <i>more</i>" },
        };
        var path = folder.File("report.html");
        HtmlReport.Write(path, [image, SyntheticReports.Classification("second.png")], new ReportOptions { Title = "</title><script>alert('title')</script>" });
        var html = await File.ReadAllTextAsync(path);
        Assert.DoesNotContain("<script>alert", html);
        Assert.DoesNotContain("<img", html);
        await using var report = await OpenedReport.OpenAsync(browser.Browser, path);
        var page = report.Page;
        Assert.Equal("</title><script>alert('title')</script>", await page.TitleAsync());
        Assert.Equal(name, await page.InnerTextAsync("h1"));
        Assert.Equal($"Predicted: {label} (70.0%)", await page.InnerTextAsync(".prediction"));
        Assert.Equal("a & b %{z}", await page.InnerTextAsync("table.top tbody tr >> nth=1 >> td >> nth=2"));
        Assert.Contains("<b>bold</b> & <i>more</i>", await page.InnerTextAsync(".errors"));
        Assert.Equal(0, await page.Locator("img, b, i").CountAsync());
        Assert.Contains(name, await page.InnerTextAsync(".nav-item >> nth=0"));
        Assert.Empty(report.Problems);
    }

    [Fact]
    public async Task DetectionBoxesCanBeHidden_AndEachDetectionExplained()
    {
        using var folder = new TempFolder();
        var image = SyntheticReports.Detection();
        await using var report = await Open(browser.Browser, folder, image);
        var page = report.Page;
        const string boxes = "selector => document.querySelector(selector).data.filter(t => t.type === 'scatter').map(t => t.visible)";
        Assert.Equal(new[] { true, true }, await page.EvaluateAsync<bool[]>(boxes, GradCamPlot));
        Assert.Equal(new[] { true, true }, await page.EvaluateAsync<bool[]>(boxes, ImagePlot));
        Assert.Equal(2, await page.Locator($"{ImagePlot} .scatterlayer .trace").CountAsync());
        await page.GetByLabel("show box 0").UncheckAsync();
        Assert.Equal(new[] { false, true }, await page.EvaluateAsync<bool[]>(boxes, GradCamPlot));
        Assert.Equal(new[] { false, true }, await page.EvaluateAsync<bool[]>(boxes, ImagePlot));

        const string z = "() => document.querySelector('.plot-card[data-method=gradcam] .js-plotly-plot').data[1].z[12][37]";
        Assert.True(Math.Abs(await page.EvaluateAsync<double>(z) - SyntheticReports.Designed(37, 12, 3)) <= 1.0 / 510 + 1e-6);
        await page.GetByLabel("explain detection 1").CheckAsync();
        await page.WaitForFunctionAsync("() => document.body.dataset.state === 'ready' && document.querySelector('input[aria-label=\"explain detection 1\"]')?.checked");
        Assert.True(Math.Abs(await page.EvaluateAsync<double>(z) - SyntheticReports.Designed(37, 12, 9)) <= 1.0 / 510 + 1e-6);
        Assert.Equal(new[] { true, true }, await page.EvaluateAsync<bool[]>(boxes, GradCamPlot));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = folder.Screenshot("report-detection.png"), FullPage = true });
        Assert.Empty(report.Problems);
        Assert.Empty(report.ForeignRequests);
    }

    [Fact]
    public async Task SegmentationClassesAreLayers()
    {
        using var folder = new TempFolder();
        await using var report = await Open(browser.Browser, folder, SyntheticReports.Segmentation());
        var page = report.Page;
        const string layers = "selector => document.querySelector(selector).data.filter(t => t.type === 'heatmap').map(t => t.visible)";
        Assert.Equal(new[] { true, false }, await page.EvaluateAsync<bool[]>(layers, GradCamPlot));
        await page.GetByLabel("show class sky").CheckAsync();
        Assert.Equal(new[] { true, true }, await page.EvaluateAsync<bool[]>(layers, GradCamPlot));
        await page.GetByLabel("show class road").UncheckAsync();
        Assert.Equal(new[] { false, true }, await page.EvaluateAsync<bool[]>(layers, GradCamPlot));

        Assert.Equal(new[] { false }, await page.EvaluateAsync<bool[]>(layers, ImagePlot));
        await page.GetByLabel("show predicted mask").CheckAsync();
        Assert.Equal(new[] { true }, await page.EvaluateAsync<bool[]>(layers, ImagePlot));
        // The mask layer holds each pixel's class: left half road (1), right half sky (2).
        Assert.Equal(new[] { 1.0, 2.0 }, await page.EvaluateAsync<double[]>($"() => {{ const z = document.querySelector('{ImagePlot}').data[1].z; return [z[5][3], z[5][40]]; }}"));
        Assert.Equal(2, await page.Locator("table.classes tbody tr").CountAsync());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = folder.Screenshot("report-segmentation.png"), FullPage = true });
        Assert.Empty(report.Problems);
    }
}
