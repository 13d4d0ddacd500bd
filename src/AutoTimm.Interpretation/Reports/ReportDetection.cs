namespace AutoTimm.Interpretation.Reports;

/// <summary>A detection in a report: its box in model-input pixels, class and score, and each method's map of it.</summary>
public sealed record ReportDetection
{
    /// <summary>Index of the detection in the detector's output.</summary>
    public required int Index { get; init; }

    /// <summary>Box corners x0, y0, x1, y1 in model-input pixels.</summary>
    public required float[] Box { get; init; }

    /// <summary>Class label.</summary>
    public required string Label { get; init; }

    /// <summary>Detection score.</summary>
    public required float Score { get; init; }

    /// <summary>One map per method that explained this detection.</summary>
    public IReadOnlyList<ReportMap> Maps { get; init; } = [];

    /// <summary>Methods that failed for this detection, with the reason.</summary>
    public IReadOnlyDictionary<string, string> Errors { get; init; } = new Dictionary<string, string>();
}
