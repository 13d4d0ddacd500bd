using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using AutoTimm.Cli.Tests;
using Microsoft.Playwright;

namespace AutoTimm.Browser.Tests;

/// <summary>Reports the CLI writes for the bundled models, opened offline in the browser.</summary>
[Collection(BrowserCollection.Name)]
public sealed partial class CliReportTests(BrowserFixture browser)
{
    [GeneratedRegex(@"importance: ([0-9.]+)")]
    private static partial Regex Importance();

    [Fact]
    public async Task ReportOfSeveralImages_DrawsEveryPage()
    {
        using var folder = new TempFolder();
        var images = new[] { 0, 3, 5 }.Select(i => CliRunner.Sample($"canvases/canvas_test_{i:00000}.png")).ToArray();
        var path = folder.File("several.html");
        var (code, json) = CliRunner.Run(["report", "--images", .. images, "--methods", "gradcam,smoothgrad", "--metrics", "--output", path]);
        Assert.True(code == 0, json.ToString());
        Assert.Equal(path, json.GetProperty("report").GetString());
        Assert.Equal(new FileInfo(path).Length, json.GetProperty("bytes").GetInt64());
        Assert.Equal(3, json.GetProperty("images").GetArrayLength());

        await using var report = await OpenedReport.OpenAsync(browser.Browser, path);
        var page = report.Page;
        Assert.Equal(3, await page.Locator(".nav-item").CountAsync());
        for (int i = 0; i < 3; i++)
        {
            if (i > 0)
            {
                await page.ClickAsync("#next");
                await page.WaitForFunctionAsync($"() => document.body.dataset.image === '{i}' && document.body.dataset.state === 'ready'");
            }
            var expected = json.GetProperty("images")[i];
            Assert.Equal(Path.GetFileName(images[i]), await page.InnerTextAsync("h1"));
            Assert.Contains(images[i], await page.InnerTextAsync(".page-head .sub"));
            Assert.Contains(expected.GetProperty("label").GetString()!, await page.InnerTextAsync(".prediction"));
            Assert.Equal(2, await page.Locator(".plot-card[data-method] .hm image").CountAsync());
            Assert.Equal(2, await page.Locator("table.metrics tbody tr").CountAsync());
            Assert.Equal(5, await page.Locator("table.top tbody tr").CountAsync());
        }
        // Hovering the centre of the Grad-CAM map shows a value in the map's range.
        const string plot = ".plot-card[data-method=gradcam] .js-plotly-plot";
        var (x, y) = await report.PointAsync(plot, 32, 32);
        await page.Mouse.MoveAsync(x, y);
        var hover = page.Locator($"{plot} .hoverlayer .hovertext");
        await hover.WaitForAsync();
        var value = double.Parse(Importance().Match(await hover.TextContentAsync() ?? "").Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.InRange(value, 0, 1);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = folder.Screenshot("report-cli-several.png"), FullPage = true });
        Assert.Empty(report.Problems);
        Assert.Empty(report.ForeignRequests);
    }

    [Theory]
    [InlineData("ObjectDetector", "detection")]
    [InlineData("SemanticSegmentor", "segmentation")]
    public async Task InterpretReport_OfTaskModels_IsDrawn(string task, string kind)
    {
        using var folder = new TempFolder();
        var (code, json) = CliRunner.Run(["interpret", "--task-class", task, "--image", CliRunner.Sample("canvases/canvas_test_00003.png"),
            "--methods", "gradcam", "--output-dir", folder.Path, "--report"]);
        Assert.True(code == 0, json.ToString());
        var path = json.GetProperty("report").GetString()!;
        await using var report = await OpenedReport.OpenAsync(browser.Browser, path);
        var page = report.Page;
        if (kind == "detection")
        {
            int detections = json.GetProperty("detections").GetArrayLength();
            Assert.True(detections > 0, "the bundled detector finds the canvas's objects");
            Assert.Equal(detections, await page.Locator("table.detections tbody tr").CountAsync());
            Assert.Equal(detections, await page.Locator(".plot-card:not([data-method]) .scatterlayer .trace").CountAsync());
        }
        else
        {
            int classes = json.GetProperty("classes").GetArrayLength();
            Assert.True(classes > 0, "the bundled segmenter explains a class");
            Assert.Equal(classes, await page.Locator("table.classes tbody tr").CountAsync());
        }
        Assert.Equal(1, await page.Locator(".plot-card[data-method=gradcam] .hm image").CountAsync());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = folder.Screenshot($"report-cli-{kind}.png"), FullPage = true });
        Assert.Empty(report.Problems);
        Assert.Empty(report.ForeignRequests);
    }
}
