using System.Globalization;
using static TorchSharp.torch;

namespace AutoTimm.Training.Loggers;

/// <summary>
/// Writes scalars to <c>metrics.csv</c> (columns <c>step,tag,value</c>, one row per record, appended so a resumed run
/// continues the same file). Images are written as PNG artifacts, one folder per step
/// (<c>artifacts/step-00000120/explanations_sample0.png</c>), and their row holds that relative path. Histograms and
/// text are not tabular and are skipped.
/// </summary>
public sealed class CsvLogger : ITrainingLogger
{
    private readonly StreamWriter _writer;

    /// <summary>Opens (or continues) <c>metrics.csv</c> in <paramref name="directory"/>.</summary>
    public CsvLogger(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        System.IO.Directory.CreateDirectory(directory);
        Directory = directory;
        Path = System.IO.Path.Combine(directory, "metrics.csv");
        bool fresh = !File.Exists(Path) || new FileInfo(Path).Length == 0;
        _writer = new StreamWriter(new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.Read));
        if (fresh) _writer.WriteLine("step,tag,value");
    }

    /// <inheritdoc/>
    public string? Directory { get; }

    /// <summary>Path of the CSV file.</summary>
    public string Path { get; }

    /// <inheritdoc/>
    public void LogScalar(string tag, double value, long step) =>
        _writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{step},{Escape(tag)},{value:R}"));

    /// <inheritdoc/>
    public void LogImage(string tag, Tensor image, long step)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentException.ThrowIfNullOrWhiteSpace(tag);
        var relative = System.IO.Path.Combine("artifacts", string.Create(CultureInfo.InvariantCulture, $"step-{step:D8}"),
            string.Concat(tag.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' ? c : '_')) + ".png");
        var path = System.IO.Path.Combine(Directory!, relative);
        System.IO.Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        Imaging.ImageIO.SavePng(Imaging.RgbImage.FromTensor(image), path);
        _writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{step},{Escape(tag)},{Escape(relative.Replace('\\', '/'))}"));
    }

    /// <inheritdoc/>
    public void LogHistogram(string tag, Tensor values, long step) { }

    /// <inheritdoc/>
    public void LogText(string tag, string text, long step) { }

    /// <inheritdoc/>
    public void Flush() => _writer.Flush();

    /// <inheritdoc/>
    public void Dispose() => _writer.Dispose();

    private static string Escape(string s) => s.Contains(',') || s.Contains('"') ? $"\"{s.Replace("\"", "\"\"")}\"" : s;
}
