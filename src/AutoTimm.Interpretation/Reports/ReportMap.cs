namespace AutoTimm.Interpretation.Reports;

/// <summary>A method's map in a report, with the time the method took when known.</summary>
public sealed record ReportMap(string Method, Heatmap Heatmap, double? TimeMs = null);
