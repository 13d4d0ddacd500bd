namespace AutoTimm.Imaging;

/// <summary>
/// An image could not be decoded: it is empty, truncated, corrupt, too large, or in a format this library does
/// not read. The message names the source (file path, or a description for in-memory data) and the problem.
/// </summary>
public sealed class ImageDecodeException : Exception
{
    /// <summary>Creates the exception for <paramref name="sourceName"/> and a description of the problem.</summary>
    /// <param name="sourceName">The file path, or a description such as "image bytes" for in-memory data.</param>
    /// <param name="problem">What is wrong, phrased to complete "&lt;source&gt;: ...".</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public ImageDecodeException(string sourceName, string problem, Exception? innerException = null)
        : base($"Cannot decode image {sourceName}: {problem}", innerException)
    {
        SourceName = sourceName;
        Problem = problem;
    }

    /// <summary>The file path, or a description of in-memory data.</summary>
    public string SourceName { get; }

    /// <summary>What is wrong with the data.</summary>
    public string Problem { get; }
}
