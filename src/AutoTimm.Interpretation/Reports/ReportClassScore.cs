namespace AutoTimm.Interpretation.Reports;

/// <summary>A row of a report's top-k table: a class, its label and its probability.</summary>
public sealed record ReportClassScore(int Class, string Label, double Probability);
