using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Playwright;

namespace AutoTimm.Browser.Tests;

/// <summary>
/// A report opened from disk in a browser context that is offline and aborts every request but the report file's
/// own, recording each request, console error, page error, dialog and Content-Security-Policy violation.
/// </summary>
public sealed class OpenedReport : IAsyncDisposable
{
    private readonly IBrowserContext _context;

    private OpenedReport(IBrowserContext context, IPage page, string url)
    {
        _context = context;
        Page = page;
        Url = url;
    }

    public IPage Page { get; }

    /// <summary>The report's file:// URL.</summary>
    public string Url { get; }

    /// <summary>Every request the page made, aborted or not.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>Console errors, uncaught exceptions, dialogs and CSP violations.</summary>
    public ConcurrentQueue<string> Problems { get; } = new();

    public static async Task<OpenedReport> OpenAsync(IBrowser browser, string path, int width = 1400, int height = 1000)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { Offline = true, ViewportSize = new ViewportSize { Width = width, Height = height } });
        var page = await context.NewPageAsync();
        var url = new Uri(Path.GetFullPath(path)).AbsoluteUri;
        var report = new OpenedReport(context, page, url);
        context.Request += (_, request) => report.Requests.Enqueue(request.Url);
        await context.RouteAsync("**/*", route => route.Request.Url == url ? route.ContinueAsync() : route.AbortAsync());
        page.Console += (_, message) => { if (message.Type == "error") report.Problems.Enqueue($"console: {message.Text}"); };
        page.PageError += (_, error) => report.Problems.Enqueue($"page error: {error}");
        page.Dialog += async (_, dialog) =>
        {
            report.Problems.Enqueue($"dialog: {dialog.Message}");
            await dialog.DismissAsync();
        };
        await page.AddInitScriptAsync("document.addEventListener('securitypolicyviolation', e => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));");
        await page.GotoAsync(url);
        await report.WaitReadyAsync();
        return report;
    }

    /// <summary>Waits until the current page is drawn, and fails when drawing failed.</summary>
    public async Task WaitReadyAsync()
    {
        await Page.WaitForFunctionAsync("() => ['ready', 'error'].includes(document.body.dataset.state)");
        var state = await Page.EvaluateAsync<string>("() => document.body.dataset.state");
        Assert.True(state == "ready", $"the page was not drawn: {await Page.InnerTextAsync("main")}; {string.Join("; ", Problems)}");
    }

    /// <summary>Viewport coordinates of data point (x, y) of the plot inside <paramref name="plotSelector"/>.</summary>
    public async Task<(float X, float Y)> PointAsync(string plotSelector, double x, double y)
    {
        var point = await Page.EvaluateAsync<float[]>("""
            ([selector, x, y]) => {
              const gd = document.querySelector(selector);
              const box = gd.getBoundingClientRect(), layout = gd._fullLayout;
              return [box.left + layout.xaxis._offset + layout.xaxis.l2p(x), box.top + layout.yaxis._offset + layout.yaxis.l2p(y)];
            }
            """, new object[] { plotSelector, x, y });
        return (point[0], point[1]);
    }

    /// <summary>The x and y axis ranges of the plot inside <paramref name="plotSelector"/>.</summary>
    public async Task<double[]> RangesAsync(string plotSelector)
    {
        var json = await Page.EvaluateAsync<JsonElement>("""
            selector => { const l = document.querySelector(selector)._fullLayout; return [...l.xaxis.range, ...l.yaxis.range]; }
            """, plotSelector);
        return json.EnumerateArray().Select(e => e.GetDouble()).ToArray();
    }

    /// <summary>Requests for anything but the report file itself.</summary>
    public IReadOnlyList<string> ForeignRequests => Requests.Where(u => u != Url).ToList();

    public async ValueTask DisposeAsync() => await _context.DisposeAsync();
}
