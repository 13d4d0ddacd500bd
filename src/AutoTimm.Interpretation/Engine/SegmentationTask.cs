using AutoTimm.Interpretation.Targets;
using AutoTimm.Models;
using AutoTimm.Native;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Engine;

/// <summary>
/// Segmentation: the output is per-pixel logits <c>[K, H, W]</c> (class 0 the background); the prediction is the
/// classes present with their pixel counts, and the default target is the most frequent predicted non-background
/// class over its own predicted pixels.
/// </summary>
public sealed class SegmentationTask : ExplanationTask
{
    /// <summary>The one instance.</summary>
    public static SegmentationTask Instance { get; } = new();

    private SegmentationTask() { }

    /// <inheritdoc/>
    public override ModelTask Kind => ModelTask.SemanticSegmentor;

    /// <inheritdoc/>
    public override PredictionSummary Summarize(Tensor output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (output.dim() != 3) throw new ArgumentException($"a segmenter's output for one image is [K, H, W]; got [{string.Join(",", output.shape)}]");
        using var scope = NewDisposeScope();
        var counts = output.detach().argmax(0).flatten().bincount(null, output.shape[0]).CopyToArray<long>();
        return new SegmentationSummary(counts);
    }

    /// <inheritdoc/>
    public override IExplanationTarget DefaultTarget(Tensor output)
    {
        var summary = (SegmentationSummary)Summarize(output);
        return new MaskRegionTarget(summary.TopClass
            ?? throw new InvalidOperationException("the segmenter predicts only background for this image; give a target class to explain"));
    }
}

/// <summary>A segmenter's prediction for one image: pixels predicted per class.</summary>
/// <param name="PixelCounts">Predicted pixels per class (index 0 the background).</param>
public sealed record SegmentationSummary(IReadOnlyList<long> PixelCounts) : PredictionSummary
{
    /// <summary>Classes with at least one predicted pixel, most pixels first (background included).</summary>
    public IReadOnlyList<int> Present => Enumerable.Range(0, PixelCounts.Count).Where(c => PixelCounts[c] > 0)
        .OrderByDescending(c => PixelCounts[c]).ThenBy(c => c).ToArray();

    /// <summary>The most frequent predicted class other than the background, or null when there is none.</summary>
    public override int? TopClass => Present.Where(c => c != 0).Select(c => (int?)c).FirstOrDefault();

    /// <inheritdoc/>
    public override string Headline(Func<int, string> labelOf)
    {
        ArgumentNullException.ThrowIfNull(labelOf);
        long total = PixelCounts.Sum();
        var objects = Present.Where(c => c != 0).Take(4).Select(c => $"{labelOf(c)} ({Visualization.FigureText.Percent((float)PixelCounts[c] / total)})").ToArray();
        return objects.Length == 0 ? "Segmented: background only" : $"Segmented: {string.Join(", ", objects)}";
    }

    /// <inheritdoc/>
    public override double? ConfidenceOf(IExplanationTarget target) => null;
}
