using AutoTimm.Imaging;
using AutoTimm.Interpretation.Engine;
using AutoTimm.Models;

namespace AutoTimm.Interpretation;

/// <summary>One image explained by several methods into a folder: what <c>autotimm interpret</c> asks for.</summary>
public sealed record InterpretationRequest
{
    /// <summary>The model.</summary>
    public required VisionModel Model { get; init; }

    /// <summary>The image.</summary>
    public required ImageInput Image { get; init; }

    /// <summary>Method ids (or aliases); every method when null.</summary>
    public IReadOnlyList<string>? Methods { get; init; }

    /// <summary>Folder for figures and raw arrays (created if missing).</summary>
    public required string OutputDir { get; init; }

    /// <summary>
    /// Write a figure per method (per detection, per class) into <see cref="OutputDir"/>; when false the maps are only
    /// returned (<see cref="InterpretationResult.Heatmaps"/>, <see cref="InterpretationResult.Page"/>).
    /// </summary>
    public bool WriteFigures { get; init; } = true;

    /// <summary>Class to explain; the predicted class when null.</summary>
    public int? TargetClass { get; init; }

    /// <summary>Method parameters.</summary>
    public ExplanationOptions Options { get; init; } = ExplanationOptions.Default;

    /// <summary>Colormap of the figures.</summary>
    public string Colormap { get; init; } = "viridis";

    /// <summary>Heatmap opacity in overlays.</summary>
    public double Alpha { get; init; } = 0.4;

    /// <summary>Also write <c>id_raw.npy</c> (and <c>id_attr.npy</c> for Integrated Gradients).</summary>
    public bool SaveRaw { get; init; }

    /// <summary>Also write a self-contained interactive <c>report.html</c> (<see cref="Reports.HtmlReport"/>).</summary>
    public bool Report { get; init; }

    /// <summary>
    /// Classifiers: also compute each map's deletion and insertion curves (<see cref="AutoTimm.Interpretation.Metrics.DeletionInsertion"/>),
    /// returned in <see cref="InterpretationResult.Metrics"/> and shown in the report.
    /// </summary>
    public bool Metrics { get; init; }

    /// <summary>Options of the deletion and insertion curves; the defaults when null.</summary>
    public AutoTimm.Interpretation.Metrics.PerturbationOptions? MetricOptions { get; init; }

    /// <summary>Detectors: score a detection needs to be explained.</summary>
    public float DetectionThreshold { get; init; } = Engine.DetectionTask.DefaultScoreThreshold;

    /// <summary>Detectors: a box (model-input pixels) selecting the detection that overlaps it most; null explains all.</summary>
    public Data.BoundingBox? Bbox { get; init; }

    /// <summary>Segmenters: explain every predicted object class, not only the target (or most frequent) one.</summary>
    public bool AllClasses { get; init; }

    /// <summary>Segmenters: <c>entropy</c>, <c>margin</c>, or null for no uncertainty map.</summary>
    public string? UncertaintyMethod { get; init; } = "entropy";

    /// <summary>Where results are kept for identical later requests; <see cref="Batch.ExplanationCache.Global"/> when null.</summary>
    public Batch.ExplanationCache? Cache { get; init; }

    /// <summary>Times the stages of a classifier run (decode, preprocess, forward, backward, render, write), or null.</summary>
    public Diagnostics.PerformanceProfiler? Profiler { get; init; }

    /// <summary>Receives a report per method explained; silent when null.</summary>
    public IProgress<WorkProgress>? Progress { get; init; }
}

/// <summary>What <see cref="Interpretation.Run"/> produced; maps one to one onto the CLI's JSON.</summary>
public sealed record InterpretationResult
{
    /// <summary>Figure path per method id that succeeded.</summary>
    public required IReadOnlyDictionary<string, string> Results { get; init; }

    /// <summary>Class the model predicted.</summary>
    public required int? PredictedClass { get; init; }

    /// <summary>Label of the predicted class.</summary>
    public required string? PredictedLabel { get; init; }

    /// <summary>Probability of the predicted class.</summary>
    public required double? Confidence { get; init; }

    /// <summary>Error message per method id that did not apply or failed.</summary>
    public required IReadOnlyDictionary<string, string> Errors { get; init; }

    /// <summary>Class explained.</summary>
    public required int? TargetClass { get; init; }

    /// <summary>Raw array paths per method id (and <c>id_attr</c> for attributions), when asked for.</summary>
    public IReadOnlyDictionary<string, string>? Raw { get; init; }

    /// <summary>Time per method, in milliseconds (explanation only).</summary>
    public required IReadOnlyDictionary<string, double> TimingsMs { get; init; }

    /// <summary>Path of the HTML report, when asked for.</summary>
    public string? Report { get; init; }

    /// <summary>The heatmaps by method id, for callers that want the data.</summary>
    public required IReadOnlyDictionary<string, Heatmap> Heatmaps { get; init; }

    /// <summary>Detectors: every detection above the threshold with its per-method figures, raw maps and errors.</summary>
    public IReadOnlyList<DetectionEntry>? Detections { get; init; }

    /// <summary>Segmenters: every explained class with its per-method figures, raw maps and errors.</summary>
    public IReadOnlyList<ClassEntry>? Classes { get; init; }

    /// <summary>Segmenters: the predicted mask (<c>mask.npy</c>, class per pixel as float32) and uncertainty (<c>uncertainty.npy</c>), when written.</summary>
    public IReadOnlyDictionary<string, string>? Arrays { get; init; }

    /// <summary>Why nothing was explained (no detection, class absent), or null.</summary>
    public string? Message { get; init; }

    /// <summary>Classifiers, when asked for: each map's deletion and insertion AUC and curves, by method.</summary>
    public IReadOnlyList<Reports.ReportMethodMetrics>? Metrics { get; init; }

    /// <summary>Everything explained, as a page of an <see cref="Reports.HtmlReport"/>; several runs' pages make one report.</summary>
    public required Reports.ReportImage Page { get; init; }
}

/// <summary>One detection in an interpretation: its box, class and score, and per method its figure and raw map.</summary>
public sealed record DetectionEntry
{
    /// <summary>Position among the detections, best first.</summary>
    public required int Index { get; init; }

    /// <summary>Box [x0, y0, x1, y1] in model-input pixels.</summary>
    public required float[] Box { get; init; }

    /// <summary>Class index.</summary>
    public required int Label { get; init; }

    /// <summary>Class name.</summary>
    public required string ClassName { get; init; }

    /// <summary>Detection score.</summary>
    public required float Score { get; init; }

    /// <summary>Figure per method id.</summary>
    public required IReadOnlyDictionary<string, string> Results { get; init; }

    /// <summary>Raw map (<c>.npy</c>) per method id, when requested.</summary>
    public required IReadOnlyDictionary<string, string> Raw { get; init; }

    /// <summary>Why a method did not explain this detection, per method id.</summary>
    public required IReadOnlyDictionary<string, string> Errors { get; init; }
}

/// <summary>One explained class of a segmentation: its region size, and per method its figure and raw map.</summary>
public sealed record ClassEntry
{
    /// <summary>Class index.</summary>
    public required int Class { get; init; }

    /// <summary>Class name.</summary>
    public required string Label { get; init; }

    /// <summary>Pixels of the explained region.</summary>
    public required long Pixels { get; init; }

    /// <summary>Share of the image predicted as this class.</summary>
    public required double Share { get; init; }

    /// <summary>Figure per method id.</summary>
    public required IReadOnlyDictionary<string, string> Results { get; init; }

    /// <summary>Raw map per method id, when requested.</summary>
    public required IReadOnlyDictionary<string, string> Raw { get; init; }
}
