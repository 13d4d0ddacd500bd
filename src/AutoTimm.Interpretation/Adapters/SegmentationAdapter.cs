using System.Diagnostics;
using AutoTimm.Imaging;
using AutoTimm.Interpretation.Engine;
using AutoTimm.Interpretation.Targets;
using AutoTimm.Interpretation.Visualization;
using AutoTimm.Models;
using static TorchSharp.torch;
using AutoTimm.Native;

namespace AutoTimm.Interpretation.Adapters;

/// <summary>
/// Explains a segmenter: per class, the class logit summed over the pixels predicted as that class (or over a given
/// mask). Several classes of one image are explained together, one stride-0 row per class, as the detection adapter
/// does for boxes.
/// </summary>
internal static class SegmentationAdapter
{
    public static SegmentationExplanation Run(SemanticSegmentor segmentor, ImageInput image, int? targetClass, bool allClasses, Tensor? region,
        string method, bool showUncertainty, string uncertaintyMethod, ExplanationOptions options, FigureOptions figureOptions, string? saveDir,
        string? savePath = null)
    {
        ArgumentNullException.ThrowIfNull(segmentor);
        ArgumentNullException.ThrowIfNull(image);
        var descriptor = MethodRegistry.Get(method);
        if (showUncertainty && !SegmentationUncertainty.Methods.Contains(uncertaintyMethod?.ToLowerInvariant()))
            throw new ArgumentException($"unknown uncertainty method '{uncertaintyMethod}'; known: {string.Join(", ", SegmentationUncertainty.Methods)}", nameof(uncertaintyMethod));
        if (targetClass is { } requested && (requested < 0 || requested >= segmentor.NumClasses))
            throw new ArgumentOutOfRangeException(nameof(targetClass), requested, $"class {requested} is outside the segmenter's {segmentor.NumClasses} classes (0..{segmentor.NumClasses - 1})");
        using var scope = NewDisposeScope();
        var input = image.ToModelInput(segmentor.Config.Preprocess, segmentor.Device);
        int height = (int)input.shape[2], width = (int)input.shape[3];
        Tensor logits;
        using (new EvalModeScope(segmentor))
        using (inference_mode())
            logits = segmentor.call(input)[0].to(ScalarType.Float32, CPU).clone();
        var summary = (SegmentationSummary)SegmentationTask.Instance.Summarize(logits);
        var mask = logits.argmax(0).to(ScalarType.Int32).flatten().CopyToArray<int>();
        var uncertainty = showUncertainty ? SegmentationUncertainty.Compute(logits, uncertaintyMethod!).CopyToArray<float>() : null;
        var result = new SegmentationExplanation
        {
            Method = descriptor.Id, Mask = mask, Height = height, Width = width, Prediction = summary, Classes = [],
            Uncertainty = uncertainty, UncertaintyMethod = showUncertainty ? uncertaintyMethod!.ToLowerInvariant() : null,
        };

        List<int> classes;
        if (region is not null)
            classes = [targetClass ?? throw new ArgumentException("a region mask needs the class whose logit it sums (targetClass)")];
        else if (allClasses)
            classes = summary.Present.Where(c => c != 0).ToList();
        else if (targetClass is { } c)
            classes = summary.PixelCounts[c] > 0 ? [c] : [];
        else
            classes = summary.TopClass is { } top ? [top] : [];
        if (classes.Count == 0)
        {
            var message = targetClass is { } absent && region is null
                ? $"class {absent} ({segmentor.Config.LabelOf(absent)}) is absent from the prediction: no pixel is predicted as it; give a region mask to explain its logit there"
                : "the segmenter predicts only background for this image; give a target class and a region to explain";
            return result with { Message = message };
        }

        var clock = Stopwatch.StartNew();
        using var explainer = MethodRegistry.Create(descriptor.Id, segmentor, options);
        var targets = classes.Select(c => (IExplanationTarget?)new MaskRegionTarget(c, region)).ToArray();
        var rows = input.expand(targets.Length, -1, -1, -1);
        var heatmaps = explainer.ExplainTargets(rows, targets, batchSize: targets.Length);
        double elapsed = clock.Elapsed.TotalMilliseconds;

        long RegionPixels(int c) => region is null ? summary.PixelCounts[c] : region.ne(Scalars.Of(0)).sum().item<long>();
        var explained = classes.Select((c, i) => new ExplainedClass(c, RegionPixels(c), heatmaps[i])).ToList();
        // The spec's save_path: the figure of the (first) explained class.
        if (savePath is not null)
            SegmentationFigure.Save(image.ToDisplayImage(segmentor.Config.Preprocess), mask, explained[0].Heatmap, uncertainty, savePath, figureOptions);
        if (saveDir is not null)
        {
            Directory.CreateDirectory(saveDir);
            var display = image.ToDisplayImage(segmentor.Config.Preprocess);
            for (int i = 0; i < explained.Count; i++)
            {
                var path = Path.Combine(saveDir, $"{descriptor.Id}_class{explained[i].Class}.png");
                SegmentationFigure.Save(display, mask, explained[i].Heatmap, uncertainty, path, figureOptions);
                explained[i] = explained[i] with { FigurePath = path };
            }
        }
        return result with { Classes = explained, ElapsedMilliseconds = elapsed, SavePath = savePath };
    }
}
