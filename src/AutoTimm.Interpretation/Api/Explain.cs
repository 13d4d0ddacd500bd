using System.Diagnostics;
using System.Globalization;
using AutoTimm.Data;
using AutoTimm.Imaging;
using AutoTimm.Interpretation.Adapters;
using AutoTimm.Interpretation.Engine;
using AutoTimm.Interpretation.Evaluation;
using AutoTimm.Interpretation.Methods;
using AutoTimm.Interpretation.Targets;
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
    /// <param name="model">The model.</param>
    /// <param name="image">Image file, bytes, decoded image or preprocessed tensor.</param>
    /// <param name="method">Method id or alias (<see cref="MethodRegistry"/>).</param>
    /// <param name="targetClass">Class to explain; the task's default (the predicted class) when null.</param>
    /// <param name="targetLayer">Layer of layer-based methods; the last spatial feature layer when null.</param>
    /// <param name="colormap">Colormap of the figure.</param>
    /// <param name="alpha">Heatmap opacity in the overlay.</param>
    /// <param name="savePath">Where to save the figure (original | heatmap | overlay); nothing is saved when null.</param>
    /// <param name="returnHeatmap">Whether the result carries the heatmap.</param>
    /// <param name="options">Method parameters (IG steps, SmoothGrad noise, ...).</param>
    /// <param name="target">Any target (box, mask region); overrides <paramref name="targetClass"/>.</param>
    /// <param name="cache">Where results are kept for identical later requests; <see cref="Batch.ExplanationCache.Global"/> when null.</param>
    public static ExplanationResult Prediction(VisionModel model, ImageInput image, string method = "gradcam", int? targetClass = null,
        string? targetLayer = null, string colormap = "viridis", double alpha = 0.4, string? savePath = null, bool returnHeatmap = true,
        ExplanationOptions? options = null, IExplanationTarget? target = null, Batch.ExplanationCache? cache = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(image);
        var figureOptions = FigureOptionsFor(model, colormap, alpha);
        var methodOptions = WithLayer(options, targetLayer);
        using var explainer = MethodRegistry.Create(method, model, methodOptions);
        explainer.Cache = cache;
        var clock = Stopwatch.StartNew();
        var heatmap = explainer.Explain(image, target ?? ClassTargetOf(targetClass));
        double elapsed = clock.Elapsed.TotalMilliseconds;
        if (savePath is not null) ExplanationFigure.Save(image.ToDisplayImage(model.Config.Preprocess), heatmap, savePath, figureOptions);
        return ToResult(model, heatmap, returnHeatmap, savePath, elapsed);
    }

    /// <summary>
    /// Explains one image with several methods and draws them side by side (<c>compare_methods</c>). Methods that
    /// read the same layer share one forward and one gradient pass. A method that does not apply or fails is reported
    /// in <see cref="ComparisonResult.Errors"/> (and left out of the figure) unless <paramref name="throwOnError"/>.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="image">The image.</param>
    /// <param name="methods">Method ids; default Grad-CAM, Grad-CAM++ and Integrated Gradients.</param>
    /// <param name="targetClass">Class to explain; the predicted class when null.</param>
    /// <param name="layout">Figure layout.</param>
    /// <param name="savePath">Where to save the comparison figure, or null.</param>
    /// <param name="colormap">Colormap of the overlays.</param>
    /// <param name="alpha">Heatmap opacity.</param>
    /// <param name="options">Method parameters.</param>
    /// <param name="throwOnError">Throw on the first method that did not apply or failed, instead of reporting it.</param>
    /// <param name="target">Any target (box, mask region); overrides <paramref name="targetClass"/>.</param>
    /// <param name="cache">Where results are kept for identical later requests; <see cref="Batch.ExplanationCache.Global"/> when null.</param>
    public static ComparisonResult CompareMethods(VisionModel model, ImageInput image,
        IReadOnlyList<string>? methods = null, int? targetClass = null, FigureLayout layout = FigureLayout.Horizontal, string? savePath = null,
        string colormap = "viridis", double alpha = 0.4, ExplanationOptions? options = null, bool throwOnError = false, IExplanationTarget? target = null,
        Batch.ExplanationCache? cache = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(image);
        var figureOptions = FigureOptionsFor(model, colormap, alpha);
        var ids = (methods ?? ["gradcam", "gradcampp", "integrated_gradients"]).Select(m => MethodRegistry.Get(m).Id).Distinct().ToList();
        if (ids.Count == 0) throw new ArgumentException("no methods given", nameof(methods));
        using var input = image.ToModelInput(model.Config.Preprocess, model.Device);
        var run = MethodRun.Run(model, input, ids, target ?? ClassTargetOf(targetClass), options ?? ExplanationOptions.Default, cache: cache);
        if (throwOnError && run.Errors.Count > 0)
        {
            var (id, error) = run.Errors.First();
            throw new InvalidOperationException($"{id}: {error}");
        }
        var succeeded = ids.Where(run.Heatmaps.ContainsKey).ToList();
        if (savePath is not null && succeeded.Count > 0)
        {
            var entries = succeeded.Select(id => new ComparisonEntry(run.Heatmaps[id], null, run.TimingsMs.GetValueOrDefault(id))).ToList();
            ComparisonFigure.Save(image.ToDisplayImage(model.Config.Preprocess), entries, savePath, layout, figureOptions);
        }
        return new ComparisonResult
        {
            Results = succeeded.ToDictionary(id => id, id => ToResult(model, run.Heatmaps[id], true, savePath, run.TimingsMs.GetValueOrDefault(id))),
            Errors = run.Errors,
            SavePath = savePath is not null && succeeded.Count > 0 ? savePath : null,
        };
    }

    /// <summary>
    /// Explains several images in batches and saves one figure per image into <paramref name="outputDir"/>
    /// (<c>visualize_batch</c>); file names come from the inputs' names and the predicted class.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="images">The images.</param>
    /// <param name="method">Method id.</param>
    /// <param name="outputDir">Folder for the figures (created if missing).</param>
    /// <param name="batchSize">Images per forward/backward.</param>
    /// <param name="targetClasses">One class per image, or null for the predicted classes.</param>
    /// <param name="colormap">Colormap.</param>
    /// <param name="alpha">Heatmap opacity.</param>
    /// <param name="options">Method parameters.</param>
    /// <param name="cache">Where results are kept for identical later requests; <see cref="Batch.ExplanationCache.Global"/> when null.</param>
    public static IReadOnlyList<ExplanationResult> VisualizeBatch(VisionModel model, IReadOnlyList<ImageInput> images, string method = "gradcam",
        string outputDir = "explanations", int batchSize = 32, IReadOnlyList<int>? targetClasses = null, string colormap = "viridis",
        double alpha = 0.4, ExplanationOptions? options = null, Batch.ExplanationCache? cache = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(images);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputDir);
        var figureOptions = FigureOptionsFor(model, colormap, alpha);
        using var explainer = MethodRegistry.Create(method, model, options);
        explainer.Cache = cache;
        var clock = Stopwatch.StartNew();
        var heatmaps = explainer.ExplainBatch(images, targetClasses, batchSize);
        double perImage = clock.Elapsed.TotalMilliseconds / images.Count;
        Directory.CreateDirectory(outputDir);
        var names = images.Select((image, i) => image.Name ?? $"image_{i:D3}").ToList();
        var displays = images.Select(image => image.ToDisplayImage(model.Config.Preprocess)).ToList();
        var paths = ExplanationFigure.SaveBatch(displays, heatmaps, outputDir, figureOptions, UniqueNames(names));
        return heatmaps.Select((heatmap, i) => ToResult(model, heatmap, true, paths[i], perImage)).ToList();
    }

    /// <summary>
    /// Explains a detector's detections (<c>explain_detection</c>): one explanation per detection above
    /// <paramref name="detectionThreshold"/>, each computed from that detection's own box score (its class logit at its
    /// location and level). All boxes share one forward below the explained layer and one backward. With
    /// <paramref name="bbox"/>, only the detection overlapping it most is explained. No detection above the threshold
    /// gives an empty result with a <see cref="DetectionExplanation.Message"/>, not an exception.
    /// </summary>
    /// <param name="detector">The detector.</param>
    /// <param name="image">Image file, bytes, decoded image or preprocessed tensor.</param>
    /// <param name="method">Method id (gradcam, gradcampp, integrated_gradients, smoothgrad, eigencam, ...).</param>
    /// <param name="detectionThreshold">Score a detection needs to be explained (torchvision-style score in [0,1]).</param>
    /// <param name="bbox">A box in model-input pixels selecting the detection that overlaps it most, or null for all.</param>
    /// <param name="targetLayer">Layer of layer-based methods; the detector's last backbone stage when null.</param>
    /// <param name="targetClass">Explain only detections of this class, or null for every class.</param>
    /// <param name="savePath">One overview figure (the image with every box, then each box's overlay), as the spec's <c>save_path</c>; or null.</param>
    /// <param name="saveDir">Folder for one figure per box (<c>{method}_box{i}.png</c>), or null.</param>
    /// <param name="colormap">Colormap.</param>
    /// <param name="alpha">Heatmap opacity.</param>
    /// <param name="options">Method parameters.</param>
    public static DetectionExplanation Detection(ObjectDetector detector, ImageInput image, string method = "gradcam", float detectionThreshold = 0.5f,
        BoundingBox? bbox = null, string? targetLayer = null, string? saveDir = null, string colormap = "viridis", double alpha = 0.4,
        ExplanationOptions? options = null, int? targetClass = null, string? savePath = null)
    {
        ArgumentNullException.ThrowIfNull(detector);
        return DetectionAdapter.Run(detector, image, method, detectionThreshold, bbox, targetClass, WithLayer(options, targetLayer),
            FigureOptionsFor(detector, colormap, alpha), saveDir, savePath);
    }

    /// <summary>
    /// Explains a segmenter's prediction (<c>explain_segmentation</c>): the sum of a class's logit over the pixels
    /// predicted as that class (or over <paramref name="region"/>), with per-pixel uncertainty. The default class is
    /// the most frequent predicted non-background class; <paramref name="allClasses"/> explains every present class.
    /// A class absent from the prediction gives a result with a <see cref="SegmentationExplanation.Message"/>.
    /// </summary>
    /// <param name="segmentor">The segmenter.</param>
    /// <param name="image">The image.</param>
    /// <param name="targetClass">Class to explain, or null for the most frequent predicted object class.</param>
    /// <param name="method">Method id.</param>
    /// <param name="showUncertainty">Compute the uncertainty map (and draw it in figures).</param>
    /// <param name="uncertaintyMethod"><c>entropy</c> or <c>margin</c>.</param>
    /// <param name="allClasses">Explain every predicted object class.</param>
    /// <param name="region">A region <c>[H, W]</c> (non-zero inside) whose summed logit of <paramref name="targetClass"/> is explained, or null.</param>
    /// <param name="targetLayer">Layer of layer-based methods; the last backbone stage when null.</param>
    /// <param name="saveDir">Folder for one figure per class (<c>{method}_class{c}.png</c>), or null.</param>
    /// <param name="savePath">The figure of the first explained class, as the spec's <c>save_path</c>; or null.</param>
    /// <param name="colormap">Colormap.</param>
    /// <param name="alpha">Heatmap opacity.</param>
    /// <param name="options">Method parameters.</param>
    public static SegmentationExplanation Segmentation(SemanticSegmentor segmentor, ImageInput image, int? targetClass = null, string method = "gradcam",
        bool showUncertainty = true, string uncertaintyMethod = "entropy", bool allClasses = false, Tensor? region = null, string? targetLayer = null,
        string? saveDir = null, string colormap = "viridis", double alpha = 0.4, ExplanationOptions? options = null, string? savePath = null)
    {
        ArgumentNullException.ThrowIfNull(segmentor);
        return SegmentationAdapter.Run(segmentor, image, targetClass, allClasses, region, method, showUncertainty, uncertaintyMethod,
            WithLayer(options, targetLayer), FigureOptionsFor(segmentor, colormap, alpha), saveDir, savePath);
    }

    /// <summary>
    /// Compares explanation methods on a set of images (the spec's "Evaluate Quality" stage): each method explains
    /// every image in batches, and every selected metric (deletion, insertion, ROAD, faithfulness correlation,
    /// sensitivity, infidelity, localization, randomization, completeness; <see cref="EvaluationMetric"/>) scores the
    /// explanation on the very tensor that was explained. Each image's true label is explained when given, else the
    /// predicted class. A method that does not apply is reported with its reason, not thrown.
    /// </summary>
    /// <param name="model">The classifier.</param>
    /// <param name="samples">The images, with labels and ground-truth regions where known.</param>
    /// <param name="methods">Method ids; default Grad-CAM, Grad-CAM++, Integrated Gradients, SmoothGrad and the random and center baselines.</param>
    /// <param name="options">Metrics and their parameters; null for the defaults.</param>
    /// <param name="progress">Progress per method, or null.</param>
    public static MethodComparison EvaluateAll(ImageClassifier model, IReadOnlyList<EvaluationSample> samples, IReadOnlyList<string>? methods = null,
        EvaluationOptions? options = null, IProgress<WorkProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0) throw new ArgumentException("no images given", nameof(samples));
        options ??= new EvaluationOptions();
        options.Validate();
        var ids = methods ?? ["gradcam", "gradcampp", "integrated_gradients", "smoothgrad", "random", "center"];
        if (ids.Count == 0) throw new ArgumentException("no methods given", nameof(methods));
        foreach (var id in ids) MethodRegistry.Get(id);
        var size = (model.Config.Preprocess.Height, model.Config.Preprocess.Width);
        for (int i = 0; i < samples.Count; i++)
        {
            var sample = samples[i];
            ArgumentNullException.ThrowIfNull(sample, $"{nameof(samples)}[{i}]");
            if (sample.Label is { } label && (label < 0 || label >= model.Config.NumClasses))
                throw new ArgumentOutOfRangeException(nameof(samples), label, $"image {sample.Name ?? i.ToString(CultureInfo.InvariantCulture)}: label {label} is not a class of {model.Config.Arch} (0..{model.Config.NumClasses - 1})");
            if (sample.Region is { } region && (region.Height, region.Width) != size)
                throw new ArgumentException($"image {sample.Name ?? i.ToString(CultureInfo.InvariantCulture)}: its region is {region.Height}x{region.Width}, the model input {size.Height}x{size.Width}", nameof(samples));
        }
        return new MethodEvaluator(model, samples, options, progress).Run(ids);
    }

    /// <summary>The figure options of a model's explanations: its class names, the colormap and opacity, validated.</summary>
    internal static FigureOptions FigureOptionsFor(VisionModel model, string colormap, double alpha)
    {
        var figureOptions = new FigureOptions { Colormap = colormap, Alpha = alpha, ClassNames = model.Config.ClassNames };
        figureOptions.Validate();
        return figureOptions;
    }

    private static ExplanationOptions WithLayer(ExplanationOptions? options, string? targetLayer)
    {
        var set = options ?? ExplanationOptions.Default;
        return targetLayer is null ? set : set.With(set.Get<CamOptions>() with { TargetLayer = targetLayer });
    }

    private static ClassTarget? ClassTargetOf(int? targetClass) => targetClass is { } c ? new ClassTarget(c) : null;

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

    internal static ExplanationResult ToResult(VisionModel model, Heatmap heatmap, bool returnHeatmap, string? savePath, double elapsed) => new()
    {
        PredictedLabel = heatmap.Prediction.TopClass is { } top ? model.Config.LabelOf(top) : null,
        Heatmap = returnHeatmap ? heatmap : null,
        Method = heatmap.Method,
        Target = heatmap.Target,
        Prediction = heatmap.Prediction,
        Layer = heatmap.Layer,
        SavePath = savePath,
        ElapsedMilliseconds = elapsed,
    };
}
