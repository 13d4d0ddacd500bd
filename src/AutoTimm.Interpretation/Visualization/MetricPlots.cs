using AutoTimm.Interpretation.Evaluation;

namespace AutoTimm.Interpretation.Visualization;

/// <summary>
/// Charts of a method comparison, drawn with ScottPlot: mean deletion and insertion curves per method (x: share of
/// pixels changed) and the mean randomization correlation per layer step.
/// </summary>
internal static class MetricPlots
{
    private const int Width = 900, Height = 560;

    /// <summary>Writes the charts the comparison has data for into <paramref name="directory"/>; returns their paths.</summary>
    public static IReadOnlyList<string> Save(MethodComparison comparison, string directory)
    {
        PlotFonts.Install();
        Directory.CreateDirectory(directory);
        var paths = new List<string>();
        var methods = comparison.Methods.Where(m => m.Error is null).ToList();
        // Legends go where the curves are not: deletion falls to the lower right, insertion rises to the upper right.
        void Curves(string file, string title, string xLabel, Func<MethodEvaluation, IReadOnlyList<double>?> curve, string score, ScottPlot.Alignment legend)
        {
            var drawn = methods.Where(m => curve(m) is not null).ToList();
            if (drawn.Count == 0) return;
            var plot = new ScottPlot.Plot();
            foreach (var method in drawn)
            {
                var ys = curve(method)!.ToArray();
                var xs = Enumerable.Range(0, ys.Length).Select(i => (double)i / (ys.Length - 1)).ToArray();
                var line = plot.Add.ScatterLine(xs, ys);
                line.LineWidth = 2;
                var summary = method.Scores.GetValueOrDefault(score);
                line.LegendText = summary?.Mean is { } auc ? $"{method.DisplayName} (AUC {auc:F3})" : method.DisplayName;
            }
            plot.Title(title);
            plot.XLabel(xLabel);
            plot.YLabel("probability of the explained class");
            plot.Axes.SetLimits(0, 1, 0, 1);
            plot.ShowLegend(legend);
            var path = Path.Combine(directory, file);
            AtomicFile.WriteAllBytes(path, plot.GetImageBytes(Width, Height, ScottPlot.ImageFormat.Png));
            paths.Add(path);
        }
        Curves("deletion_curves.png", $"Deletion (mean over {comparison.Images} images; lower is better)", "share of pixels removed, most salient first",
            m => m.DeletionCurve, "deletion_auc", ScottPlot.Alignment.UpperRight);
        Curves("insertion_curves.png", $"Insertion (mean over {comparison.Images} images; higher is better)", "share of pixels restored, most salient first",
            m => m.InsertionCurve, "insertion_auc", ScottPlot.Alignment.LowerRight);

        var randomized = methods.Where(m => m.RandomizationCurve is not null).ToList();
        if (randomized.Count > 0)
        {
            var plot = new ScottPlot.Plot();
            foreach (var method in randomized)
            {
                var ys = method.RandomizationCurve!.ToArray();
                var line = plot.Add.ScatterLine(Enumerable.Range(1, ys.Length).Select(i => (double)i).ToArray(), ys);
                line.LineWidth = 2;
                line.LegendText = method.DisplayName;
            }
            plot.Title("Cascading randomization (Spearman with the original map; lower is better)");
            plot.XLabel($"layers randomized, from the top (first {randomized[0].RandomizationLayers![0]}, last {randomized[0].RandomizationLayers![^1]})");
            plot.YLabel("Spearman rank correlation");
            plot.Axes.SetLimitsY(-0.25, 1.05);
            // Between the model-independent baselines at 1 and the decorrelated methods near 0.
            plot.ShowLegend(ScottPlot.Alignment.MiddleRight);
            var path = Path.Combine(directory, "randomization.png");
            AtomicFile.WriteAllBytes(path, plot.GetImageBytes(Width, Height, ScottPlot.ImageFormat.Png));
            paths.Add(path);
        }
        return paths;
    }
}
