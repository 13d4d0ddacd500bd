using System.Globalization;

namespace AutoTimm.Interpretation.Visualization;

/// <summary>The words on figures: method display names, titles, percentages and timings.</summary>
internal static class FigureText
{
    /// <summary>Separator between the parts of a figure title.</summary>
    public const string Separator = " \u00B7 ";

    private static readonly Dictionary<string, string> MethodNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["gradcam"] = "Grad-CAM",
        ["gradcampp"] = "Grad-CAM++",
        ["gradcam++"] = "Grad-CAM++",
        ["integrated_gradients"] = "Integrated Gradients",
        ["ig"] = "Integrated Gradients",
        ["smoothgrad"] = "SmoothGrad",
        ["attention_rollout"] = "Attention Rollout",
        ["attention_flow"] = "Attention Flow",
        ["transformer_attribution"] = "Transformer Attribution",
    };

    /// <summary>How a method id is shown: <c>gradcam</c> as <c>Grad-CAM</c>; unknown ids as they are.</summary>
    public static string MethodName(string method) =>
        MethodNames.TryGetValue(method, out var name) ? name : method;

    /// <summary>A probability as a percentage with one decimal, e.g. <c>92.4%</c>.</summary>
    public static string Percent(float probability) =>
        (probability * 100.0).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    /// <summary>A duration, e.g. <c>8.25 ms</c>, <c>12.3 ms</c>, <c>152 ms</c>.</summary>
    public static string Milliseconds(double ms)
    {
        var format = ms < 10 ? "0.00" : ms < 100 ? "0.0" : "0";
        return ms.ToString(format, CultureInfo.InvariantCulture) + " ms";
    }

    /// <summary>
    /// The parts of a figure title for <paramref name="heatmap"/>: the prediction with its confidence, the class
    /// explained (with its probability when it is not the predicted one) and, when <paramref name="withMethod"/>,
    /// the method and layer. Parts are joined with <see cref="Separator"/>, or wrapped between them.
    /// </summary>
    public static List<string> TitleParts(Heatmap heatmap, FigureOptions options, bool withMethod)
    {
        var parts = new List<string>
        {
            $"Predicted: {options.LabelOf(heatmap.PredictedClass)}{ProbabilitySuffix(heatmap, heatmap.PredictedClass)}",
            heatmap.TargetClass == heatmap.PredictedClass
                ? $"explaining: {options.LabelOf(heatmap.TargetClass)}"
                : $"explaining: {options.LabelOf(heatmap.TargetClass)}{ProbabilitySuffix(heatmap, heatmap.TargetClass)}",
        };
        if (withMethod)
        {
            var method = MethodName(heatmap.Method);
            parts.Add(string.IsNullOrEmpty(heatmap.Layer) ? method : $"{method} @ {heatmap.Layer}");
        }
        return parts;
    }

    private static string ProbabilitySuffix(Heatmap heatmap, int classIndex) =>
        classIndex >= 0 && classIndex < heatmap.Probabilities.Count && float.IsFinite(heatmap.Probabilities[classIndex])
            ? $" ({Percent(heatmap.Probabilities[classIndex])})"
            : string.Empty;
}
