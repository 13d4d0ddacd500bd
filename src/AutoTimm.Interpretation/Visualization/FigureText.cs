using System.Globalization;

namespace AutoTimm.Interpretation.Visualization;

/// <summary>The words on figures: method display names, titles, percentages and timings.</summary>
internal static class FigureText
{
    /// <summary>Separator between the parts of a figure title.</summary>
    public const string Separator = " \u00B7 ";

    /// <summary>How a method id is shown: its registry display name (<c>gradcam</c> as <c>Grad-CAM</c>); unknown ids as they are.</summary>
    public static string MethodName(string method) => Engine.MethodRegistry.DisplayName(method);

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
        var prediction = heatmap.Prediction;
        var explained = $"explaining: {heatmap.Target.Describe(options.LabelOf)}";
        bool explainsThePrediction = prediction is Engine.ClassPrediction p && heatmap.TargetClass == p.PredictedClass;
        var parts = new List<string>
        {
            prediction.Headline(options.LabelOf),
            explainsThePrediction || prediction.ConfidenceOf(heatmap.Target) is not { } confidence
                ? explained
                : $"{explained} ({Percent((float)confidence)})",
        };
        if (withMethod)
        {
            var method = MethodName(heatmap.Method);
            parts.Add(string.IsNullOrEmpty(heatmap.Layer) ? method : $"{method} @ {heatmap.Layer}");
        }
        return parts;
    }

    /// <summary>" (92.4%)" for a finite probability of a class in range, else empty.</summary>
    public static string PercentSuffix(IReadOnlyList<float> probabilities, int classIndex) =>
        classIndex >= 0 && classIndex < probabilities.Count && float.IsFinite(probabilities[classIndex])
            ? $" ({Percent(probabilities[classIndex])})"
            : string.Empty;
}
