using AutoTimm.Imaging;
using AutoTimm.Native;
using static TorchSharp.torch;

namespace AutoTimm.Training.Loggers;

/// <summary>
/// Writes TensorBoard event files (scalars, images, histograms, text) through <see cref="TensorBoardEventWriter"/>:
/// Unix-second wall times and file names, 64-bit steps, records flushed as they are written.
/// </summary>
public sealed class TensorBoardLogger : ITrainingLogger
{
    private readonly TensorBoardEventWriter _writer;

    /// <summary>Creates an event file in <paramref name="directory"/>.</summary>
    public TensorBoardLogger(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory = directory;
        _writer = new TensorBoardEventWriter(directory);
    }

    /// <inheritdoc/>
    public string? Directory { get; }

    /// <summary>The event file written.</summary>
    public string EventFile => _writer.Path;

    /// <inheritdoc/>
    public void LogScalar(string tag, double value, long step) => _writer.WriteScalar(tag, (float)value, Checked(step, tag));

    /// <inheritdoc/>
    public void LogImage(string tag, Tensor image, long step)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.dim() != 3 || image.shape[0] != 3)
            throw new ArgumentException($"an image to log must be [3,H,W], got [{string.Join(",", image.shape)}]", nameof(image));
        var rgb = RgbImage.FromTensor(image);
        _writer.WriteImage(tag, ImageIO.EncodePng(rgb), rgb.Height, rgb.Width, 3, Checked(step, tag));
    }

    /// <inheritdoc/>
    public void LogHistogram(string tag, Tensor values, long step)
    {
        ArgumentNullException.ThrowIfNull(values);
        // CopyToArray reads any device and layout, row-major: the values flattened.
        using var detached = values.detach();
        using var asDouble = detached.to_type(ScalarType.Float64);
        _writer.WriteHistogram(tag, asDouble.CopyToArray<double>(), Checked(step, tag));
    }

    /// <inheritdoc/>
    public void LogText(string tag, string text, long step) => _writer.WriteText(tag, text, Checked(step, tag));

    /// <inheritdoc/>
    public void Flush() => _writer.Flush();

    private static long Checked(long step, string tag) => step >= 0
        ? step
        : throw new ArgumentOutOfRangeException(nameof(step), step, $"TensorBoard tag '{tag}': step {step} is negative");

    /// <inheritdoc/>
    public void Dispose() => _writer.Dispose();
}
