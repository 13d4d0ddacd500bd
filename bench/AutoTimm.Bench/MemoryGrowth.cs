using System.Globalization;
using AutoTimm.Imaging;
using AutoTimm.Interpretation;
using AutoTimm.Models;

/// <summary>
/// Resident memory over a long run of explanations in one process: the high-level API (a fresh explainer per call, as
/// a service would use it) explains the same canvas with Grad-CAM and with Integrated Gradients in turn, and RSS is
/// sampled every tenth of the run. Growth is measured from the sample after warm-up (the first tenth) to the end.
/// </summary>
internal static class MemoryGrowth
{
    public static object Measure(string modelPath, string imagePath, int explanations)
    {
        using var model = ImageClassifier.LoadFromCheckpoint(modelPath);
        var image = ImageInput.FromFile(imagePath);
        var options = AutoTimm.Interpretation.Engine.ExplanationOptions.Default.With(new AutoTimm.Interpretation.Methods.IntegratedGradientsOptions { Steps = 8 });
        var samples = new List<(int Done, double RssMb)>();
        int every = Math.Max(1, explanations / 10);
        for (int i = 1; i <= explanations; i++)
        {
            Explain.Prediction(model, image, method: i % 2 == 0 ? "gradcam" : "integrated_gradients", options: options, returnHeatmap: true);
            if (i % every == 0) samples.Add((i, RssMegabytes()));
        }
        double warm = samples[0].RssMb, end = samples[^1].RssMb;
        return new
        {
            explanations,
            methods = "gradcam and integrated_gradients (8 steps), alternating, Explain.Prediction",
            rss_mb = samples.Select(s => new { after = s.Done, mb = Math.Round(s.RssMb, 1) }),
            growth_after_warmup = Math.Round((end - warm) / warm, 4),
        };
    }

    private static double RssMegabytes()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
    }
}
