using AutoTimm.Imaging;
using AutoTimm.Interpretation.Engine;
using AutoTimm.Interpretation.Metrics;
using AutoTimm.Interpretation.Visualization;

namespace AutoTimm.Interpretation.Reports;

/// <summary>
/// What an <see cref="HtmlReport"/> embeds as its JSON island: every image and map, maps quantized to 8 bits with
/// their range recorded (value = lo + q (hi - lo) / 255, off by at most (hi - lo) / 510) and stored as one-channel
/// PNG data URIs, which deflate compresses and every browser decodes.
/// </summary>
internal sealed record ReportDocument(string Title, string Generator, string Colormap, IReadOnlyList<object[]> Colorscale, double Alpha,
    IReadOnlyList<ReportDocument.ImageData> Images)
{
    /// <summary>Stops of a Plotly colorscale drawn from the colormap's table.</summary>
    private const int ColorscaleStops = 32;

    public static ReportDocument Build(IReadOnlyList<ReportImage> images, ReportOptions options)
    {
        var colormap = Colormaps.Get(options.Colormap);
        var scale = Enumerable.Range(0, ColorscaleStops).Select(i =>
        {
            double at = i / (double)(ColorscaleStops - 1);
            var c = colormap[(int)Math.Round(at * (Visualization.Colormap.Size - 1))];
            return new object[] { at, $"rgb({c.R},{c.G},{c.B})" };
        }).ToList();
        var version = typeof(ReportDocument).Assembly.GetName().Version?.ToString(3) ?? "";
        return new ReportDocument(options.Title, $"AutoTimm.NET {version}", colormap.Name, scale, options.Alpha, images.Select(ImageData.From).ToList());
    }

    internal sealed record ImageData(string Name, string Task, string? Source, string? Arch, int Width, int Height, string Image, string? PredictedLabel,
        double? Confidence, IReadOnlyList<ReportClassScore> Top, string? TargetLabel, IReadOnlyList<MapData> Maps,
        IReadOnlyList<DetectionData> Detections, IReadOnlyList<ClassData> Classes, MaskData? Mask, IReadOnlyList<MetricsData> Metrics,
        IReadOnlyList<ErrorData> Errors, string? Message)
    {
        public static ImageData From(ReportImage image)
        {
            ArgumentNullException.ThrowIfNull(image);
            int w = image.Image.Width, h = image.Image.Height;
            IReadOnlyList<MapData> Maps(IReadOnlyList<ReportMap> maps, string owner) => maps.Select(m => MapData.From(m, w, h, $"{image.Name}: {owner}")).ToList();
            MaskData? mask = null;
            if (image.Mask is { } classes)
            {
                if (classes.Length != w * h) throw new ArgumentException($"{image.Name}: the mask has {classes.Length} pixels, the image {w}x{h}");
                // Class indices travel as 8-bit values; a mask with more classes is left out rather than wrapped around.
                if (classes.All(c => c is >= 0 and < 256))
                    mask = new MaskData(PngUri(ImageIO.EncodeGrayPng(classes.Select(c => (byte)c).ToArray(), w, h)), image.MaskLabels ?? []);
            }
            string task = image.Task switch
            {
                Models.ModelTask.ObjectDetector => "detection",
                Models.ModelTask.SemanticSegmentor => "segmentation",
                _ => "classification",
            };
            return new ImageData(image.Name, task, image.Source, image.Arch, w, h, "data:image/png;base64," + Convert.ToBase64String(ImageIO.EncodePng(image.Image)),
                image.PredictedLabel, image.Confidence, image.TopClasses, image.TargetLabel, Maps(image.Maps, "maps"),
                image.Detections.Select(d => new DetectionData(d.Index, d.Box, d.Label, d.Score, Maps(d.Maps, $"detection {d.Index}"),
                    d.Errors.Select(e => new ErrorData(e.Key, e.Value)).ToList())).ToList(),
                image.Classes.Select(c => new ClassData(c.Class, c.Label, c.Share, Maps(c.Maps, $"class {c.Label}"))).ToList(),
                mask,
                image.Metrics.Select(m => MetricsData.From(m, w * h)).ToList(),
                image.Errors.Select(e => new ErrorData(e.Key, e.Value)).ToList(),
                image.Message);
        }
    }

    internal sealed record MapData(string Method, string Title, string? Layer, int[] Native, double? TimeMs, string Png, double Lo, double Hi,
        HeatmapStatistics Stats)
    {
        public static MapData From(ReportMap map, int width, int height, string owner)
        {
            var heatmap = map.Heatmap;
            if (heatmap.Width != width || heatmap.Height != height)
                throw new ArgumentException($"{owner}: the {map.Method} map is {heatmap.Width}x{heatmap.Height}, the image {width}x{height}");
            var (levels, lo, hi) = Quantize(heatmap.Values);
            var (nh, nw) = heatmap.NativeResolution;
            return new MapData(map.Method, MethodRegistry.DisplayName(map.Method), heatmap.Layer, [nh, nw], map.TimeMs,
                PngUri(ImageIO.EncodeGrayPng(levels, width, height)), lo, hi, HeatmapStatistics.Of(heatmap));
        }
    }

    internal sealed record DetectionData(int Index, float[] Box, string Label, float Score, IReadOnlyList<MapData> Maps, IReadOnlyList<ErrorData> Errors);

    internal sealed record ClassData(int Class, string Label, double Share, IReadOnlyList<MapData> Maps);

    internal sealed record MaskData(string Png, IReadOnlyList<string> Labels);

    internal sealed record CurveData(double[] X, IReadOnlyList<double> Y);

    internal sealed record MetricsData(string Method, IReadOnlyList<object[]> Values, CurveData? Deletion, CurveData? Insertion)
    {
        public static MetricsData From(ReportMethodMetrics metrics, int pixels) => new(metrics.Method,
            metrics.Values.Select(kv => new object[] { kv.Key, kv.Value }).ToList(), Curve(metrics.Deletion, pixels), Curve(metrics.Insertion, pixels));

        // x is the share of pixels perturbed after each step, so curves of different step sizes share an axis.
        private static CurveData? Curve(PerturbationCurve? curve, int pixels) => curve is null ? null
            : new CurveData(Enumerable.Range(0, curve.Scores.Count).Select(i => Math.Min(1, (double)i * curve.PixelsPerStep / pixels)).ToArray(), curve.Scores);
    }

    internal sealed record ErrorData(string Method, string Message);

    /// <summary>
    /// 8-bit levels of <paramref name="values"/> over their own range [lo, hi]; a constant map has every level 0.
    /// </summary>
    public static (byte[] Levels, double Lo, double Hi) Quantize(ReadOnlySpan<float> values)
    {
        float lo = float.PositiveInfinity, hi = float.NegativeInfinity;
        foreach (var v in values)
        {
            if (!float.IsFinite(v)) throw new ArgumentException("the map has a value that is not finite", nameof(values));
            lo = Math.Min(lo, v);
            hi = Math.Max(hi, v);
        }
        var levels = new byte[values.Length];
        double span = (double)hi - lo;
        if (span > 0)
            for (int i = 0; i < values.Length; i++)
                levels[i] = (byte)Math.Round((values[i] - lo) / span * 255, MidpointRounding.AwayFromZero);
        return (levels, lo, hi);
    }

    private static string PngUri(byte[] png) => "data:image/png;base64," + Convert.ToBase64String(png);
}
