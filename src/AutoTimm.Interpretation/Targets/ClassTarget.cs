using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Targets;

/// <summary>A class logit of a classifier's output (pre-softmax, as pytorch-grad-cam and Captum use).</summary>
/// <param name="Class">Class index.</param>
public sealed record ClassTarget(int Class) : IExplanationTarget
{
    /// <inheritdoc/>
    public int? ClassIndex => Class;

    /// <inheritdoc/>
    public Tensor Score(Tensor output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (output.dim() != 1)
            throw new ArgumentException(
                $"a class target reads a classifier's logits [K]; this output is [{string.Join(",", output.shape)}]: explain a detection with BoxScoreTarget (Explain.Detection) and a segment with MaskRegionTarget (Explain.Segmentation)");
        if (Class < 0 || Class >= output.shape[^1])
            throw new ArgumentOutOfRangeException(nameof(Class), Class, $"target class {Class} is outside the model's {output.shape[^1]} classes (0..{output.shape[^1] - 1})");
        return output[Class];
    }

    /// <inheritdoc/>
    public string Describe(Func<int, string> labelOf)
    {
        ArgumentNullException.ThrowIfNull(labelOf);
        return labelOf(Class);
    }
}
