using TorchSharp.Modules;
using static TorchSharp.torch;
using AutoTimm.Native;

namespace AutoTimm.Training.Loggers;

/// <summary>Writes TensorBoard event files (scalars, images, histograms, text) with TorchSharp's SummaryWriter.</summary>
public sealed class TensorBoardLogger : ITrainingLogger
{
    private readonly SummaryWriter _writer;

    /// <summary>Creates event files in <paramref name="directory"/>.</summary>
    public TensorBoardLogger(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        System.IO.Directory.CreateDirectory(directory);
        Directory = directory;
        _writer = utils.tensorboard.SummaryWriter(directory, createRunName: false);
    }

    /// <inheritdoc/>
    public string? Directory { get; }

    /// <inheritdoc/>
    public void LogScalar(string tag, double value, long step) => _writer.add_scalar(tag, (float)value, Step(step, tag));

    /// <inheritdoc/>
    public void LogImage(string tag, Tensor image, long step)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.dim() != 3 || image.shape[0] != 3)
            throw new ArgumentException($"an image to log must be [3,H,W], got [{string.Join(",", image.shape)}]", nameof(image));
        using var bytes = image.detach().clamp(Scalars.Of(0), Scalars.Of(1)).mul(Scalars.Of(255)).round().to_type(ScalarType.Byte);
        _writer.add_img(tag, bytes, Step(step, tag), null, "CHW");
    }

    /// <inheritdoc/>
    public void LogHistogram(string tag, Tensor values, long step)
    {
        ArgumentNullException.ThrowIfNull(values);
        using var flat = values.detach().flatten().to_type(ScalarType.Float64);
        _writer.add_histogram(tag, flat, Step(step, tag));
    }

    /// <inheritdoc/>
    public void LogText(string tag, string text, long step) => _writer.add_text(tag, text, Step(step, tag));

    /// <inheritdoc/>
    public void Flush() { }

    // TorchSharp's SummaryWriter takes 32-bit steps.
    private static int Step(long step, string tag) => step is >= 0 and <= int.MaxValue
        ? (int)step
        : throw new ArgumentOutOfRangeException(nameof(step), step, $"TensorBoard tag '{tag}': step {step} is outside 0..{int.MaxValue}, the range TorchSharp's event writer takes");

    /// <inheritdoc/>
    public void Dispose() { }
}
