namespace AutoTimm.Data;

/// <summary>Producing a sample of a batch failed on the loader's background worker.</summary>
public sealed class DataLoaderException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="index">Dataset index of the sample that failed, or -1.</param>
    /// <param name="innerException">The error the dataset raised.</param>
    public DataLoaderException(string message, int index, Exception? innerException) : base(message, innerException)
    {
        Index = index;
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What failed.</param>
    public DataLoaderException(string message) : base(message)
    {
        Index = -1;
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The cause.</param>
    public DataLoaderException(string message, Exception innerException) : base(message, innerException)
    {
        Index = -1;
    }

    /// <summary>Creates the exception with a default message.</summary>
    public DataLoaderException() : base("A data loader worker failed.")
    {
        Index = -1;
    }

    /// <summary>Dataset index of the sample that failed, or -1 when not about one sample.</summary>
    public int Index { get; }
}
