using static TorchSharp.torch;

namespace AutoTimm.Training.Loggers;

/// <summary>Sends every record to several loggers.</summary>
public sealed class CompositeLogger(IReadOnlyList<ITrainingLogger> loggers) : ITrainingLogger
{
    /// <summary>The loggers records go to.</summary>
    public IReadOnlyList<ITrainingLogger> Loggers { get; } = loggers ?? throw new ArgumentNullException(nameof(loggers));

    /// <inheritdoc/>
    public string? Directory => Loggers.Select(l => l.Directory).FirstOrDefault(d => d is not null);

    /// <inheritdoc/>
    public void LogScalar(string tag, double value, long step) { foreach (var l in Loggers) l.LogScalar(tag, value, step); }

    /// <inheritdoc/>
    public void LogImage(string tag, Tensor image, long step) { foreach (var l in Loggers) l.LogImage(tag, image, step); }

    /// <inheritdoc/>
    public void LogHistogram(string tag, Tensor values, long step) { foreach (var l in Loggers) l.LogHistogram(tag, values, step); }

    /// <inheritdoc/>
    public void LogText(string tag, string text, long step) { foreach (var l in Loggers) l.LogText(tag, text, step); }

    /// <inheritdoc/>
    public void Flush() { foreach (var l in Loggers) l.Flush(); }

    /// <inheritdoc/>
    public void Dispose() { foreach (var l in Loggers) l.Dispose(); }
}
