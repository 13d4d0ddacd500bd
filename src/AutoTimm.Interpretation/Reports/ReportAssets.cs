using System.IO.Compression;
using System.Reflection;

namespace AutoTimm.Interpretation.Reports;

/// <summary>The files an <see cref="HtmlReport"/> inlines, embedded in the assembly: its script and style, and plotly.js.</summary>
internal static class ReportAssets
{
    private static readonly Lazy<string> PlotlyText = new(() => Read("plotly.min.js"));

    private static readonly Lazy<string> PlotlyPacked = new(() =>
    {
        using var packed = new MemoryStream();
        using (var gzip = new GZipStream(packed, CompressionLevel.SmallestSize, leaveOpen: true))
            gzip.Write(System.Text.Encoding.UTF8.GetBytes(Plotly));
        return Convert.ToBase64String(packed.GetBuffer(), 0, (int)packed.Length);
    });

    /// <summary>The vendored plotly.js bundle (tools/vendor/plotly.sh).</summary>
    public static string Plotly => PlotlyText.Value;

    /// <summary>
    /// The bundle gzipped and in base64, as a report carries it: 2.0 MB instead of 4.8 MB. The page unpacks it with
    /// the browser's DecompressionStream (Chrome 80, Firefox 113, Safari 16.4 and later), made once per process.
    /// </summary>
    public static string PlotlyGzipBase64 => PlotlyPacked.Value;

    /// <summary>Package and version of the bundle, from its VERSION file.</summary>
    public static string PlotlyVersion { get; } = string.Join(' ', Read("VERSION").Split('\n')
        .Where(l => l.StartsWith("package:", StringComparison.Ordinal) || l.StartsWith("version:", StringComparison.Ordinal))
        .Select(l => l[(l.IndexOf(':') + 1)..].Trim()));

    /// <summary>The page's script.</summary>
    public static string Script { get; } = Read("report.js");

    /// <summary>The page's style sheet.</summary>
    public static string Stylesheet { get; } = Read("report.css");

    private static string Read(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"AutoTimm.Interpretation.Reports.{name}")
            ?? throw new InvalidOperationException($"the report asset {name} is missing from the assembly");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
