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

    /// <summary>Also write a self-contained <c>report.html</c>.</summary>
    public bool Report { get; init; }

    /// <summary>Receives a report per method explained; silent when null.</summary>
    public IProgress<WorkProgress>? Progress { get; init; }
}

/// <summary>What <see cref="Interpretation.Run"/> produced; maps one to one onto the CLI's JSON.</summary>
public sealed record InterpretationResult
{
    /// <summary>Figure path per method id that succeeded.</summary>
    public required IReadOnlyDictionary<string, string> Results { get; init; }

    /// <summary>Class the model predicted.</summary>
    public required int PredictedClass { get; init; }

    /// <summary>Label of the predicted class.</summary>
    public required string PredictedLabel { get; init; }

    /// <summary>Probability of the predicted class.</summary>
    public required double Confidence { get; init; }

    /// <summary>Error message per method id that did not apply or failed.</summary>
    public required IReadOnlyDictionary<string, string> Errors { get; init; }

    /// <summary>Class explained.</summary>
    public required int TargetClass { get; init; }

    /// <summary>Raw array paths per method id (and <c>id_attr</c> for attributions), when asked for.</summary>
    public IReadOnlyDictionary<string, string>? Raw { get; init; }

    /// <summary>Time per method, in milliseconds (explanation only).</summary>
    public required IReadOnlyDictionary<string, double> TimingsMs { get; init; }

    /// <summary>Path of the HTML report, when asked for.</summary>
    public string? Report { get; init; }

    /// <summary>The heatmaps by method id, for callers that want the data.</summary>
    public required IReadOnlyDictionary<string, Heatmap> Heatmaps { get; init; }
}
