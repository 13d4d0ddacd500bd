namespace AutoTimm.Data;

/// <summary>A dataset's files were not found; the message says where they were looked for and how to get them.</summary>
public sealed class DatasetNotFoundException : Exception
{
    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What is missing, where it was looked for and how to get it.</param>
    public DatasetNotFoundException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the error that caused it.</summary>
    /// <param name="message">What is missing, where it was looked for and how to get it.</param>
    /// <param name="innerException">The error that caused this one.</param>
    public DatasetNotFoundException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a default message.</summary>
    public DatasetNotFoundException() : base("Dataset not found.")
    {
    }
}
