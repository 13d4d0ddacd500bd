using System.Globalization;
using System.Net;
using System.Text;
using AutoTimm.Imaging;
using AutoTimm.Interpretation.Visualization;

namespace AutoTimm.Interpretation.Reports;

/// <summary>
/// A self-contained HTML page (images embedded as data URIs, no external scripts or fonts) showing one image's
/// explanations: each method's heatmap stacked over the original with an opacity slider, a table of timings and
/// layers, and the methods that did not apply with their reasons.
/// </summary>
public static class HtmlReport
{
    /// <summary>Writes the report atomically.</summary>
    public static void WriteSingleImage(string path, RgbImage image, IReadOnlyDictionary<string, Heatmap> heatmaps,
        IReadOnlyDictionary<string, double> timingsMs, IReadOnlyDictionary<string, string> errors, string predictedLabel,
        double confidence, string targetLabel, string arch, FigureOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(heatmaps);
        var o = options ?? FigureOptions.Default;
        var inv = CultureInfo.InvariantCulture;
        string Enc(string s) => WebUtility.HtmlEncode(s);
        string Png(RgbImage i) => "data:image/png;base64," + Convert.ToBase64String(ImageIO.EncodePng(i));

        int size = Math.Max(256, Math.Max(image.Width, image.Height));
        var shown = image.Width == size || image.Height == size ? image
            : image.Resize(image.Width * size / Math.Max(image.Width, image.Height), image.Height * size / Math.Max(image.Width, image.Height), ResizeInterpolation.Nearest);
        var original = Png(shown);

        var html = new StringBuilder();
        html.Append($$"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <title>AutoTimm explanation: {{Enc(predictedLabel)}}</title>
            <style>
            body{font-family:system-ui,sans-serif;margin:24px;color:#222;background:#fafafa}
            h1{font-size:20px;margin:0 0 4px} .sub{color:#666;margin:0 0 16px}
            .grid{display:flex;flex-wrap:wrap;gap:16px}
            .card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:10px}
            .card h2{font-size:14px;margin:0 0 6px}
            .stack{position:relative;width:{{shown.Width}}px;height:{{shown.Height}}px}
            .stack img{position:absolute;left:0;top:0;width:100%;height:100%;image-rendering:pixelated}
            table{border-collapse:collapse;margin-top:16px;background:#fff} td,th{border:1px solid #ddd;padding:4px 10px;text-align:left}
            .err{color:#a33}
            </style></head><body>
            <h1>Predicted: {{Enc(predictedLabel)}} ({{(confidence * 100).ToString("F1", inv)}}%)</h1>
            <p class="sub">Explaining: {{Enc(targetLabel)}} · model {{Enc(arch)}} · colormap {{Enc(o.Colormap)}}</p>
            <label>Heatmap opacity <input id="alpha" type="range" min="0" max="100" value="{{(int)(o.Alpha * 100)}}"></label>
            <div class="grid">
            <div class="card"><h2>Original</h2><div class="stack"><img src="{{original}}" alt="original"></div></div>

            """);
        foreach (var (id, heatmap) in heatmaps)
        {
            var colored = Colormaps.Apply(heatmap, o.Colormap).Resize(shown.Width, shown.Height, ResizeInterpolation.Bilinear);
            html.Append($$"""
                <div class="card"><h2>{{Enc(id)}}</h2><div class="stack"><img src="{{original}}" alt="original">
                <img class="heat" src="{{Png(colored)}}" alt="{{Enc(id)}} heatmap" style="opacity:{{o.Alpha.ToString(inv)}}"></div></div>

                """);
        }
        html.Append("</div>\n<table><tr><th>method</th><th>layer</th><th>native resolution</th><th>time (ms)</th></tr>\n");
        foreach (var (id, heatmap) in heatmaps)
        {
            var (h, w) = heatmap.NativeResolution;
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td>{Enc(id)}</td><td>{Enc(heatmap.Layer ?? "-")}</td><td>{h}×{w}</td><td>{timingsMs.GetValueOrDefault(id):F1}</td></tr>\n");
        }
        foreach (var (id, message) in errors)
            html.Append($"<tr class=\"err\"><td>{Enc(id)}</td><td colspan=\"3\">{Enc(message)}</td></tr>\n");
        html.Append("""
            </table>
            <script>
            document.getElementById('alpha').addEventListener('input', e => {
              for (const img of document.querySelectorAll('img.heat')) img.style.opacity = e.target.value / 100;
            });
            </script>
            </body></html>

            """);
        AtomicFile.WriteAllText(path, html.ToString());
    }
}
