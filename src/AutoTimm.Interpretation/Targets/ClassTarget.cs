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
        RequireWithin(output.shape[^1]);
        return output[Class];
    }

    /// <summary>Throws unless the class is one of a classifier's <paramref name="classes"/> classes.</summary>
    internal void RequireWithin(long classes)
    {
        if (Class < 0 || Class >= classes)
            throw new ArgumentOutOfRangeException(nameof(Class), Class, $"target class {Class} is outside the model's {classes} classes (0..{classes - 1})");
    }

    /// <inheritdoc/>
    public string Describe(Func<int, string> labelOf)
    {
        ArgumentNullException.ThrowIfNull(labelOf);
        return labelOf(Class);
    }
}
