namespace AutoTimm.Models.Checkpoints;

/// <summary>A checkpoint file is malformed, truncated, or in a format or layout this reader does not support.</summary>
public sealed class CheckpointFormatException : CheckpointException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong with the file, naming the problem.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public CheckpointFormatException(string message, Exception? innerException = null) : base(message, innerException)
    {
    }
}
