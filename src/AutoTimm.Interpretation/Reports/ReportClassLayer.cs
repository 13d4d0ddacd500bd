namespace AutoTimm.Interpretation.Reports;

/// <summary>An explained class of a segmentation in a report: its label, share of the image and each method's map.</summary>
public sealed record ReportClassLayer
{
    /// <summary>Class index.</summary>
    public required int Class { get; init; }

    /// <summary>Class label.</summary>
    public required string Label { get; init; }

    /// <summary>Share of the image's pixels predicted as this class, in [0,1].</summary>
    public required double Share { get; init; }

    /// <summary>One map per method that explained this class.</summary>
    public IReadOnlyList<ReportMap> Maps { get; init; } = [];
}
