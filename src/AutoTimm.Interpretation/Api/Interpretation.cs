using System.Diagnostics;
using AutoTimm.Imaging;
using AutoTimm.Interpretation.Reports;
using AutoTimm.Interpretation.Visualization;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation;

/// <summary>Runs several methods on one image into a folder, collecting per-method errors instead of failing.</summary>
public static class Interpretation
{
    /// <summary>
    /// Explains the image with every requested method. A method that does not apply to the model (attention methods
    /// on a CNN) or fails lands in <see cref="InterpretationResult.Errors"/> with the reason; the others still run.
    /// </summary>
    public static InterpretationResult Run(InterpretationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var model = request.Model;
        var ids = (request.Methods ?? ExplanationMethods.Ids.Where(id => id != "transformer_attribution").ToList())
            .Select(ExplanationMethods.Canonical).Distinct().ToList();
        Directory.CreateDirectory(request.OutputDir);
        using var scope = NewDisposeScope();
        var input = request.Image.ToModelInput(model.Config.Preprocess);
        var display = request.Image.ToDisplayImage(model.Config.Preprocess);
        var prediction = model.Predict(input, 1)[0];
        int target = request.TargetClass ?? prediction.PredictedClass;
        if (target < 0 || target >= model.NumClasses)
            throw new ArgumentException($"target class {target} is outside the model's {model.NumClasses} classes (0..{model.NumClasses - 1})");
        Visualization.Colormaps.Get(request.Colormap);
        if (request.Alpha is < 0 or > 1) throw new ArgumentException($"alpha must be in [0,1], got {request.Alpha}");

        var results = new Dictionary<string, string>();
        var errors = new Dictionary<string, string>();
        var raw = new Dictionary<string, string>();
        var timings = new Dictionary<string, double>();
        var heatmaps = new Dictionary<string, Heatmap>();
        var figureOptions = new FigureOptions { Colormap = request.Colormap, Alpha = request.Alpha, ClassNames = model.Config.ClassNames };
        foreach (var id in ids)
        {
            try
            {
                using var explainer = ExplanationMethods.Create(id, model, request.Options);
                var clock = Stopwatch.StartNew();
                var heatmap = explainer.Explain(input, target);
                double elapsed = Math.Round(clock.Elapsed.TotalMilliseconds, 1);
                var figure = Path.Combine(request.OutputDir, $"{id}.png");
                ExplanationFigure.Save(display, heatmap, figure, figureOptions);
                results[id] = figure;
                heatmaps[id] = heatmap;
                timings[id] = elapsed;
                if (request.SaveRaw)
                {
                    raw[id] = SaveArray(request.OutputDir, $"{id}_raw.npy", heatmap.Raw, [heatmap.Height, heatmap.Width]);
                    if (heatmap.Attributions is { } attributions)
                        raw[$"{id}_attr"] = SaveArray(request.OutputDir, $"{id}_attr.npy", attributions, [3, heatmap.Height, heatmap.Width]);
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // One method failing (not applicable, a native error, a file it could not write) never stops the others.
                results.Remove(id);
                errors[id] = e.Message;
            }
        }

        string? report = null;
        if (request.Report)
        {
            report = Path.Combine(request.OutputDir, "report.html");
            HtmlReport.WriteSingleImage(report, display, heatmaps, timings, errors, prediction.Label, prediction.Confidence,
                model.Config.LabelOf(target), model.Config.Arch, figureOptions);
        }
        return new InterpretationResult
        {
            Results = results,
            PredictedClass = prediction.PredictedClass,
            PredictedLabel = prediction.Label,
            Confidence = prediction.Confidence,
            Errors = errors,
            TargetClass = target,
            Raw = request.SaveRaw ? raw : null,
            TimingsMs = timings,
            Report = report,
            Heatmaps = heatmaps,
        };
    }

    private static string SaveArray(string dir, string name, float[] values, long[] shape)
    {
        var path = Path.Combine(dir, name);
        using var tensor = TorchSharp.torch.tensor(values, shape);
        Npy.Save(path, tensor);
        return path;
    }
}
