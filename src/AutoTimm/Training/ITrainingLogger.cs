using static TorchSharp.torch;

namespace AutoTimm.Training;

/// <summary>Where training writes scalars, images, histograms and text. Implement it to send them elsewhere.</summary>
public interface ITrainingLogger : IDisposable
{
    /// <summary>Directory the logger writes to, or null if it writes no files.</summary>
    string? Directory { get; }

    /// <summary>Records a scalar at a global step.</summary>
    void LogScalar(string tag, double value, long step);

    /// <summary>Records an image: a float tensor <c>[3,H,W]</c> in [0,1].</summary>
    void LogImage(string tag, Tensor image, long step);

    /// <summary>Records the distribution of a tensor's values.</summary>
    void LogHistogram(string tag, Tensor values, long step);

    /// <summary>Records a text note.</summary>
    void LogText(string tag, string text, long step);

    /// <summary>Writes buffered records to storage.</summary>
    void Flush();
}
