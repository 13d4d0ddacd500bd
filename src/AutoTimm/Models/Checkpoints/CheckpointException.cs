namespace AutoTimm.Models.Checkpoints;

/// <summary>Base of every error raised while reading, writing or loading a checkpoint.</summary>
public abstract class CheckpointException : Exception
{
    /// <summary>Creates the exception with a message and an optional cause.</summary>
    /// <param name="message">What went wrong, naming the file, entry or key involved.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    protected CheckpointException(string message, Exception? innerException = null) : base(message, innerException)
    {
    }
}
