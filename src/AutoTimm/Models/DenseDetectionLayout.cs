using static TorchSharp.torch;

namespace AutoTimm.Models;

/// <summary>
/// Columns of a dense detector's output <c>[N, locations, K + 11]</c>: one row per location of every pyramid level,
/// level by level in row-major order. The first <c>K + 5</c> columns are the network's predictions; the last six
/// describe the location, so an output decodes without the input at hand.
/// </summary>
/// <param name="NumClasses">K, the number of classes.</param>
public readonly record struct DenseDetectionLayout(int NumClasses)
{
    /// <summary>Columns after the class logits: 4 distances, centerness, center x, center y, anchor size, level, image width, image height.</summary>
    public const int ExtraColumns = 11;

    /// <summary>Column of the left distance (then top, right, bottom), in units of the anchor size.</summary>
    public int Box => NumClasses;

    /// <summary>Column of the centerness logit.</summary>
    public int Centerness => NumClasses + 4;

    /// <summary>Column of the location's x coordinate in input pixels.</summary>
    public int CenterX => NumClasses + 5;

    /// <summary>Column of the location's y coordinate in input pixels.</summary>
    public int CenterY => NumClasses + 6;

    /// <summary>Column of the level's anchor size in pixels (box distances are multiples of it).</summary>
    public int AnchorSize => NumClasses + 7;

    /// <summary>Column of the pyramid level index.</summary>
    public int Level => NumClasses + 8;

    /// <summary>Column of the input width.</summary>
    public int ImageWidth => NumClasses + 9;

    /// <summary>Column of the input height.</summary>
    public int ImageHeight => NumClasses + 10;

    /// <summary>Total columns.</summary>
    public int Columns => NumClasses + ExtraColumns;

    /// <summary>The layout of an output, checking its width.</summary>
    public static DenseDetectionLayout Of(Tensor output)
    {
        ArgumentNullException.ThrowIfNull(output);
        int k = (int)output.shape[^1] - ExtraColumns;
        if (k < 1) throw new ArgumentException($"a dense detection output has at least {ExtraColumns + 1} columns, got [{string.Join(",", output.shape)}]");
        return new DenseDetectionLayout(k);
    }
}
