using static TorchSharp.torch;
using AutoTimm.Native;

namespace AutoTimm.Interpretation.Targets;

/// <summary>
/// A segmenter's class logit summed over a region of pixels of its output <c>[K, H, W]</c>: the given mask, or,
/// without one, the pixels the model predicts as that class (fixed from the output when the score is taken, so the
/// region itself carries no gradient).
/// </summary>
public sealed class MaskRegionTarget : IExplanationTarget
{
    private readonly Tensor? _mask;

    /// <summary>Creates the target.</summary>
    /// <param name="class">Class whose logit is summed.</param>
    /// <param name="mask">Region <c>[H, W]</c> (non-zero = inside), or null for the pixels predicted as <paramref name="class"/>.</param>
    public MaskRegionTarget(int @class, Tensor? mask = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(@class);
        Class = @class;
        if (mask is not null)
        {
            if (mask.dim() != 2) throw new ArgumentException($"a region mask is [H, W]; got [{string.Join(",", mask.shape)}]", nameof(mask));
            _mask = mask.detach().ne(Scalars.Of(0)).to(ScalarType.Float32).cpu();
            if (_mask.sum().item<float>() == 0) throw new ArgumentException("the region mask is empty: it selects no pixel", nameof(mask));
        }
    }

    /// <summary>Class whose logit is summed.</summary>
    public int Class { get; }

    /// <summary>Whether the region is a given mask (else the predicted pixels of <see cref="Class"/>).</summary>
    public bool HasMask => _mask is not null;

    /// <inheritdoc/>
    public int? ClassIndex => Class;

    /// <summary>The region <c>[H, W]</c> (1 inside) for one image's output.</summary>
    public Tensor Region(Tensor output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (output.dim() != 3)
            throw new ArgumentException($"a mask-region target reads a segmenter's output [K, H, W]; got [{string.Join(",", output.shape)}] (is the model a segmenter?)");
        if (Class >= output.shape[0])
            throw new ArgumentOutOfRangeException(nameof(Class), Class, $"class {Class} is outside the segmenter's {output.shape[0]} classes");
        if (_mask is null) return output.detach().argmax(0).eq(Scalars.Of(Class)).to(output.dtype);
        if (_mask.shape[0] != output.shape[1] || _mask.shape[1] != output.shape[2])
            throw new ArgumentException($"the region mask is {_mask.shape[0]}x{_mask.shape[1]}; the output is {output.shape[1]}x{output.shape[2]}");
        return _mask.to(output.dtype, output.device);
    }

    /// <inheritdoc/>
    public Tensor Score(Tensor output)
    {
        var region = Region(output);
        return (output[Class] * region).sum();
    }

    /// <inheritdoc/>
    public string Describe(Func<int, string> labelOf)
    {
        ArgumentNullException.ThrowIfNull(labelOf);
        return HasMask ? $"{labelOf(Class)} in the given region" : $"{labelOf(Class)} pixels";
    }
}
