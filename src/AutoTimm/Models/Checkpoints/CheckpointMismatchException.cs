namespace AutoTimm.Models.Checkpoints;

/// <summary>
/// A strict load found keys the module lacks, module tensors the checkpoint lacks, or tensors whose shapes differ.
/// The module was left unchanged.
/// </summary>
public sealed class CheckpointMismatchException : CheckpointException
{
    /// <summary>Creates the exception from the report of the failed load.</summary>
    /// <param name="report">What matched and what did not.</param>
    public CheckpointMismatchException(LoadReport report) : base(Describe(report))
    {
        Report = report;
    }

    /// <summary>The full comparison between checkpoint and module.</summary>
    public LoadReport Report { get; }

    private static string Describe(LoadReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return "The checkpoint does not match the module: " + report.Describe();
    }
}
