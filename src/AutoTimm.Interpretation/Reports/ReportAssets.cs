using System.Reflection;

namespace AutoTimm.Interpretation.Reports;

/// <summary>The files an <see cref="HtmlReport"/> inlines, embedded in the assembly: its script and style, and plotly.js.</summary>
internal static class ReportAssets
{
    private static readonly Lazy<string> PlotlyText = new(() => Read("plotly.min.js"));

    /// <summary>The vendored plotly.js bundle (tools/vendor/plotly.sh).</summary>
    public static string Plotly => PlotlyText.Value;

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
