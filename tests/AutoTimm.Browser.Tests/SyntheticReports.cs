using AutoTimm.Imaging;
using AutoTimm.Interpretation;
using AutoTimm.Interpretation.Engine;
using AutoTimm.Interpretation.Metrics;
using AutoTimm.Interpretation.Reports;
using AutoTimm.Interpretation.Targets;

namespace AutoTimm.Browser.Tests;

/// <summary>
/// Report pages built from designed maps, so a test knows every value: a non-square image (a swapped x and y shows)
/// and maps whose neighbouring pixels differ by far more than the 8-bit quantization step (an off-by-one pixel shows).
/// </summary>
internal static class SyntheticReports
{
    public const int Width = 48, Height = 40;

    /// <summary>Map value at a pixel: neighbours differ by at least 7/63, the quantization error is at most 1/510.</summary>
    public static float Designed(int x, int y, int seed) => ((x * 7 + y * 13 + seed * 5) % 64) / 63f;

    public static Heatmap Map(string method, int seed, int targetClass = 0) => Map(method, (x, y) => Designed(x, y, seed), targetClass);

    public static Heatmap Map(string method, Func<int, int, float> value, int targetClass = 0)
    {
        var raw = new float[Width * Height];
        for (int y = 0; y < Height; y++)
            for (int x = 0; x < Width; x++)
                raw[y * Width + x] = value(x, y);
        return new Heatmap(raw, Height, Width)
        {
            Method = method,
            Target = new ClassTarget(targetClass),
            Prediction = new ClassPrediction(targetClass, [0.7f, 0.2f, 0.1f]),
            Layer = method == "gradcam" ? "layer4" : null,
            NativeResolution = method == "gradcam" ? (5, 6) : (Height, Width),
        };
    }

    public static RgbImage Image(int shade = 0) => RgbImage.Create(Width, Height, (x, y) => new Rgb((byte)(x * 5), (byte)(y * 6), (byte)(120 + shade)));

    private static PerturbationCurve Curve(PerturbationKind kind, params double[] scores) => new()
    {
        Kind = kind, TargetClass = 0, Scores = scores, PixelsPerStep = Width * Height / (scores.Length - 1), Options = new PerturbationOptions(),
    };

    public static ReportImage Classification(string name, int seed = 0, int classes = 3) => new()
    {
        Name = name,
        Source = $"/data/{name}",
        Image = Image(seed),
        Arch = "tiny",
        PredictedLabel = "cat",
        Confidence = 0.7,
        TopClasses = new[] { ("cat", 0.7), ("dog", 0.2), ("fox", 0.1) }.Take(classes).Select((c, i) => new ReportClassScore(i, c.Item1, c.Item2)).ToList(),
        TargetLabel = "cat",
        Maps = [new ReportMap("gradcam", Map("gradcam", seed), 12.5), new ReportMap("integrated_gradients", Map("integrated_gradients", seed + 1), 80)],
        Errors = new Dictionary<string, string> { ["attention_rollout"] = "attention_rollout does not apply: tiny has no attention layers" },
        Metrics =
        [
            new ReportMethodMetrics
            {
                Method = "gradcam", Values = [new("deletion_auc", 0.12), new("insertion_auc", 0.81)],
                Deletion = Curve(PerturbationKind.Deletion, 0.7, 0.3, 0.1, 0.05), Insertion = Curve(PerturbationKind.Insertion, 0.1, 0.6, 0.7, 0.7),
            },
            new ReportMethodMetrics
            {
                Method = "integrated_gradients", Values = [new("deletion_auc", 0.2), new("insertion_auc", 0.5)],
                Deletion = Curve(PerturbationKind.Deletion, 0.7, 0.5, 0.2, 0.05), Insertion = Curve(PerturbationKind.Insertion, 0.1, 0.3, 0.5, 0.7),
            },
        ],
    };

    public static ReportImage Detection() => new()
    {
        Name = "street.png",
        Image = Image(40),
        Task = Models.ModelTask.ObjectDetector,
        Arch = "tiny_fcos",
        PredictedLabel = "car",
        Confidence = 0.9,
        Detections =
        [
            new ReportDetection { Index = 0, Box = [4, 6, 20, 30], Label = "car", Score = 0.9f, Maps = [new ReportMap("gradcam", Map("gradcam", 3))] },
            new ReportDetection { Index = 1, Box = [26, 2, 44, 18], Label = "person", Score = 0.6f, Maps = [new ReportMap("gradcam", Map("gradcam", 9))] },
        ],
    };

    public static ReportImage Segmentation()
    {
        var mask = new int[Width * Height];
        for (int i = 0; i < mask.Length; i++) mask[i] = i % Width < Width / 2 ? 1 : 2;
        return new ReportImage
        {
            Name = "scene.png",
            Image = Image(80),
            Task = Models.ModelTask.SemanticSegmentor,
            Arch = "tiny_seg",
            PredictedLabel = "road",
            TargetLabel = "road",
            Classes =
            [
                new ReportClassLayer { Class = 1, Label = "road", Share = 0.5, Maps = [new ReportMap("gradcam", Map("gradcam", 4))] },
                new ReportClassLayer { Class = 2, Label = "sky", Share = 0.5, Maps = [new ReportMap("gradcam", Map("gradcam", 11))] },
            ],
            Mask = mask,
            MaskLabels = ["background", "road", "sky"],
        };
    }

    /// <summary>The value a report shows for a map value: 8 bits over the map's own range.</summary>
    public static double Quantized(Heatmap heatmap, int x, int y)
    {
        double lo = heatmap.Values.Min(), hi = heatmap.Values.Max();
        return lo + Math.Round((heatmap[y, x] - lo) / (hi - lo) * 255, MidpointRounding.AwayFromZero) * (hi - lo) / 255;
    }
}
