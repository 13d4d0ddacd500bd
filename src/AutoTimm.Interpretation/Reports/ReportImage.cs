using AutoTimm.Imaging;

namespace AutoTimm.Interpretation.Reports;

/// <summary>
/// One image's page of an <see cref="HtmlReport"/>: the image as the model saw it, the prediction, and the maps of
/// every method, for the whole image (classifiers), per detection (detectors) or per class (segmenters).
/// </summary>
public sealed record ReportImage
{
    /// <summary>Name shown in the navigation, typically the file name.</summary>
    public required string Name { get; init; }

    /// <summary>Where the image came from (a path), shown under the title.</summary>
    public string? Source { get; init; }

    /// <summary>The image at model-input resolution; every map has its size.</summary>
    public required RgbImage Image { get; init; }

    /// <summary>What the model does, which decides the page's layout: whole-image maps, boxes, or class layers.</summary>
    public Models.ModelTask Task { get; init; } = Models.ModelTask.ImageClassifier;

    /// <summary>Model architecture, shown under the title.</summary>
    public string? Arch { get; init; }

    /// <summary>Top-1 label (a detector's best detection, a segmenter's largest class).</summary>
    public string? PredictedLabel { get; init; }

    /// <summary>Top-1 probability or score, when the task has one.</summary>
    public double? Confidence { get; init; }

    /// <summary>The highest-scoring classes, best first (a classifier's top 5, or all when it has fewer).</summary>
    public IReadOnlyList<ReportClassScore> TopClasses { get; init; } = [];

    /// <summary>Label of the class the whole-image maps explain.</summary>
    public string? TargetLabel { get; init; }

    /// <summary>Whole-image maps, one per method (classifiers).</summary>
    public IReadOnlyList<ReportMap> Maps { get; init; } = [];

    /// <summary>Detections with their per-method maps (detectors); each box can be shown or hidden.</summary>
    public IReadOnlyList<ReportDetection> Detections { get; init; } = [];

    /// <summary>Explained classes with their per-method maps (segmenters); each is a layer that can be shown or hidden.</summary>
    public IReadOnlyList<ReportClassLayer> Classes { get; init; } = [];

    /// <summary>Segmenters: the predicted class of every pixel, row-major at the image's size.</summary>
    public int[]? Mask { get; init; }

    /// <summary>Segmenters: the label of each class index in <see cref="Mask"/>.</summary>
    public IReadOnlyList<string>? MaskLabels { get; init; }

    /// <summary>Faithfulness metrics and deletion/insertion curves per method, when they were computed.</summary>
    public IReadOnlyList<ReportMethodMetrics> Metrics { get; init; } = [];

    /// <summary>Methods that did not apply or failed, with the reason.</summary>
    public IReadOnlyDictionary<string, string> Errors { get; init; } = new Dictionary<string, string>();

    /// <summary>A note shown under the title (for example that no detection passed the threshold).</summary>
    public string? Message { get; init; }
}
