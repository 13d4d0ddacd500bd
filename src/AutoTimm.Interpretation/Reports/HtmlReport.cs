using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using AutoTimm.Interpretation.Visualization;

namespace AutoTimm.Interpretation.Reports;

/// <summary>
/// An interactive, self-contained HTML report of one or more images' explanations. Each image's page shows the
/// prediction and its top classes; the image and every method's map as zoomable, pannable Plotly heatmaps with hover
/// values, a colorbar, an opacity control and zoom linked across methods; an importance histogram; map statistics;
/// and the metrics table and deletion/insertion curves when they were computed. Detections are boxes that can be
/// shown or hidden, segmentation classes are layers. Pages are listed in a sidebar and switched without reloading.
/// </summary>
/// <remarks>
/// The file works offline and makes no request: plotly.js (the vendored plotly.js-dist-min bundle, gzipped, once
/// however many images there are), the images and the maps are inline, and a Content-Security-Policy forbids
/// fetching anything.
/// The data lives in a JSON island whose text escapes every character HTML treats specially; the page builds its
/// elements with text nodes, so labels, names and paths are never read as markup.
/// </remarks>
public static class HtmlReport
{
    private const string Csp = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:";

    // camelCase for the script; the default encoder escapes <, >, &, quotes and non-ASCII as \uXXXX: the JSON cannot end its <script> element.
    private static readonly JsonSerializerOptions IslandJson = new(JsonConventions.Line)
    {
        Encoder = JavaScriptEncoder.Default,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
    };

    /// <summary>Writes the report atomically: the file is complete or not there (an earlier one is kept).</summary>
    /// <param name="path">The .html file to write.</param>
    /// <param name="images">The pages, in navigation order.</param>
    /// <param name="options">Title, colormap and initial opacity.</param>
    public static void Write(string path, IReadOnlyList<ReportImage> images, ReportOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(images);
        if (images.Count == 0) throw new ArgumentException("a report needs at least one image", nameof(images));
        var o = options ?? ReportOptions.Default;
        if (!(o.Alpha is >= 0 and <= 1)) throw new ArgumentException($"opacity {o.Alpha} is outside [0, 1]", nameof(options));
        Colormaps.Get(o.Colormap);
        var json = JsonSerializer.Serialize(ReportDocument.Build(images, o), IslandJson);
        AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
            writer.Write($"""
                <!DOCTYPE html>
                <html lang="en">
                <head>
                <meta charset="utf-8">
                <meta name="viewport" content="width=device-width, initial-scale=1">
                <meta http-equiv="Content-Security-Policy" content="{Csp}">
                <meta name="generator" content="AutoTimm.NET">
                <title>{WebUtility.HtmlEncode(o.Title)}</title>
                <style>
                {ReportAssets.Stylesheet}
                </style>
                </head>
                <body>
                <noscript>This report draws its figures with JavaScript; please enable it.</noscript>
                <div id="app"></div>
                <script type="application/json" id="report-data">
                """);
            writer.Write(json);
            writer.Write($"""
                </script>
                <!-- {ReportAssets.PlotlyVersion}, MIT licence (see the bundle's header), gzip in base64 -->
                <script type="application/gzip" id="plotly-gzip">
                """);
            writer.Write(ReportAssets.PlotlyGzipBase64);
            writer.Write("</script>\n<script>\n");
            writer.Write(ReportAssets.Script);
            writer.Write("\n</script>\n</body>\n</html>\n");
        });
    }
}
