using System.Diagnostics;
using AutoTimm.Imaging;
using AutoTimm.Interpretation.Methods;
using AutoTimm.Interpretation.Visualization;
using AutoTimm.Models;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation;

/// <summary>
/// The high-level API: explain a prediction and save a figure, compare methods side by side, explain a batch into a
/// folder. Sensible defaults everywhere (predicted class, last spatial layer, viridis, alpha 0.4).
/// </summary>
public static class Explain
{
    /// <summary>Explains a model's prediction for one image (<c>explain_prediction</c>).</summary>
    /// <param name="model">The classifier.</param>
    /// <param name="image">Image file, bytes, decoded image or preprocessed tensor.</param>
    /// <param name="method">Method id (<see cref="ExplanationMethods.Ids"/>).</param>
    /// <param name="targetClass">Class to explain; the predicted class when null.</param>
    /// <param name="targetLayer">Layer of layer-based methods; the last spatial feature layer when null.</param>
    /// <param name="colormap">Colormap of the figure.</param>
    /// <param name="alpha">Heatmap opacity in the overlay.</param>
    /// <param name="savePath">Where to save the figure (original | heatmap | overlay); nothing is saved when null.</param>
    /// <param name="returnHeatmap">Whether the result carries the heatmap.</param>
    /// <param name="options">Method parameters (IG steps, SmoothGrad noise, ...).</param>
    public static ExplanationResult Prediction(ImageClassifier model, ImageInput image, string method = "gradcam", int? targetClass = null,
        string? targetLayer = null, string colormap = "viridis", double alpha = 0.4, string? savePath = null, bool returnHeatmap = true,
        MethodOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(image);
        var methodOptions = (options ?? new MethodOptions()) with { TargetLayer = targetLayer ?? options?.TargetLayer };
        using var explainer = ExplanationMethods.Create(method, model, methodOptions);
        var clock = Stopwatch.StartNew();
        var heatmap = explainer.Explain(image, targetClass);
        double elapsed = clock.Elapsed.TotalMilliseconds;
        if (savePath is not null)
        {
            var figureOptions = new FigureOptions { Colormap = colormap, Alpha = alpha, ClassNames = model.Config.ClassNames };
            ExplanationFigure.Save(image.ToDisplayImage(model.Config.Preprocess), heatmap, savePath, figureOptions);
        }
        return ToResult(model, heatmap, returnHeatmap, savePath, elapsed);
    }

    /// <summary>
    /// Explains one image with several methods and draws them side by side (<c>compare_methods</c>). CAM methods on
    /// the same layer share one forward and one gradient pass.
    /// </summary>
    /// <param name="model">The classifier.</param>
    /// <param name="image">The image.</param>
    /// <param name="methods">Method ids; default Grad-CAM, Grad-CAM++ and Integrated Gradients.</param>
    /// <param name="targetClass">Class to explain; the predicted class when null.</param>
    /// <param name="layout">Figure layout.</param>
    /// <param name="savePath">Where to save the comparison figure, or null.</param>
    /// <param name="colormap">Colormap of the overlays.</param>
    /// <param name="alpha">Heatmap opacity.</param>
    /// <param name="options">Method parameters.</param>
    public static IReadOnlyDictionary<string, ExplanationResult> CompareMethods(ImageClassifier model, ImageInput image,
        IReadOnlyList<string>? methods = null, int? targetClass = null, FigureLayout layout = FigureLayout.Horizontal, string? savePath = null,
        string colormap = "viridis", double alpha = 0.4, MethodOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(image);
        var ids = (methods ?? ["gradcam", "gradcampp", "integrated_gradients"]).Select(ExplanationMethods.Canonical).Distinct().ToList();
        if (ids.Count == 0) throw new ArgumentException("no methods given", nameof(methods));
        var explainers = ids.Select(id => ExplanationMethods.Create(id, model, options)).ToList();
        try
        {
            using var scope = NewDisposeScope();
            var input = image.ToModelInput(model.Config.Preprocess);
            var results = new Dictionary<string, (Heatmap Heatmap, double Ms)>();
            foreach (var group in explainers.OfType<CamExplainer>().GroupBy(c => c.TargetLayer))
            {
                var clock = Stopwatch.StartNew();
                using var mode = new EvalModeScope(model);
                var variants = group.ToList();
                var raws = CamExplainer.ComputeShared(variants, input, [targetClass is { } c ? new Targets.ClassTarget(c) : null]);
                double share = clock.Elapsed.TotalMilliseconds / variants.Count;
                for (int i = 0; i < variants.Count; i++) results[variants[i].Method] = (variants[i].ToHeatmaps(raws[i]).Single(), share);
            }
            foreach (var explainer in explainers.Where(e => e is not CamExplainer))
            {
                var clock = Stopwatch.StartNew();
                var heatmap = explainer.Explain(input, targetClass);
                results[explainer.Method] = (heatmap, clock.Elapsed.TotalMilliseconds);
            }
            if (savePath is not null)
            {
                var entries = ids.Select(id => new ComparisonEntry(results[id].Heatmap, null, results[id].Ms)).ToList();
                var figureOptions = new FigureOptions { Colormap = colormap, Alpha = alpha, ClassNames = model.Config.ClassNames };
                ComparisonFigure.Save(image.ToDisplayImage(model.Config.Preprocess), entries, savePath, layout, figureOptions);
            }
            return ids.ToDictionary(id => id, id => ToResult(model, results[id].Heatmap, true, savePath, results[id].Ms));
        }
        finally
        {
            foreach (var explainer in explainers) explainer.Dispose();
        }
    }

    /// <summary>
    /// Explains several images in batches and saves one figure per image into <paramref name="outputDir"/>
    /// (<c>visualize_batch</c>); file names come from the inputs' names and the predicted class.
    /// </summary>
    /// <param name="model">The classifier.</param>
    /// <param name="images">The images.</param>
    /// <param name="method">Method id.</param>
    /// <param name="outputDir">Folder for the figures (created if missing).</param>
    /// <param name="batchSize">Images per forward/backward.</param>
    /// <param name="targetClasses">One class per image, or null for the predicted classes.</param>
    /// <param name="colormap">Colormap.</param>
    /// <param name="alpha">Heatmap opacity.</param>
    /// <param name="options">Method parameters.</param>
    public static IReadOnlyList<ExplanationResult> VisualizeBatch(ImageClassifier model, IReadOnlyList<ImageInput> images, string method = "gradcam",
        string outputDir = "explanations", int batchSize = 32, IReadOnlyList<int>? targetClasses = null, string colormap = "viridis",
        double alpha = 0.4, MethodOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(images);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputDir);
        using var explainer = ExplanationMethods.Create(method, model, options);
        var clock = Stopwatch.StartNew();
        var heatmaps = explainer.ExplainBatch(images, targetClasses, batchSize);
        double perImage = clock.Elapsed.TotalMilliseconds / images.Count;
        Directory.CreateDirectory(outputDir);
        var names = images.Select((image, i) => image.Name ?? $"image_{i:D3}").ToList();
        var displays = images.Select(image => image.ToDisplayImage(model.Config.Preprocess)).ToList();
        var figureOptions = new FigureOptions { Colormap = colormap, Alpha = alpha, ClassNames = model.Config.ClassNames };
        var paths = ExplanationFigure.SaveBatch(displays, heatmaps, outputDir, figureOptions, UniqueNames(names));
        return heatmaps.Select((heatmap, i) => ToResult(model, heatmap, true, paths[i], perImage)).ToList();
    }

    /// <summary>Input names made unique by suffixes (<c>cat</c>, <c>cat_1</c>, ...), so no figure overwrites another.</summary>
    private static IReadOnlyList<string> UniqueNames(IReadOnlyList<string> names)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var unique = new List<string>(names.Count);
        foreach (var name in names)
        {
            if (seen.TryGetValue(name, out var count))
            {
                seen[name] = count + 1;
                unique.Add($"{name}_{count + 1}");
            }
            else
            {
                seen[name] = 0;
                unique.Add(name);
            }
        }
        return unique;
    }

    private static ExplanationResult ToResult(ImageClassifier model, Heatmap heatmap, bool returnHeatmap, string? savePath, double elapsed) => new()
    {
        Heatmap = returnHeatmap ? heatmap : null,
        Method = heatmap.Method,
        PredictedClass = heatmap.PredictedClass,
        PredictedLabel = model.Config.LabelOf(heatmap.PredictedClass),
        Confidence = heatmap.Probabilities[heatmap.PredictedClass],
        TargetClass = heatmap.TargetClass,
        Layer = heatmap.Layer,
        SavePath = savePath,
        ElapsedMilliseconds = elapsed,
    };
}
