using static TorchSharp.torch;

namespace AutoTimm.Training.Loggers;

/// <summary>A logger that records nothing.</summary>
public sealed class NullLogger : ITrainingLogger
{
    /// <inheritdoc/>
    public string? Directory => null;

    /// <inheritdoc/>
    public void LogScalar(string tag, double value, long step) { }

    /// <inheritdoc/>
    public void LogImage(string tag, Tensor image, long step) { }

    /// <inheritdoc/>
    public void LogHistogram(string tag, Tensor values, long step) { }

    /// <inheritdoc/>
    public void LogText(string tag, string text, long step) { }

    /// <inheritdoc/>
    public void Flush() { }

    /// <inheritdoc/>
    public void Dispose() { }
}
