using System.Globalization;
using AutoTimm.Data;
using AutoTimm.Models;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Targets;

/// <summary>
/// One detection's own score: its class logit at the location (pyramid level and position) it was decoded from, in
/// a dense detector output <c>[locations, K + 11]</c>. The logit, not the post-processed score, as class targets use
/// pre-softmax logits; no other box and no other location contributes.
/// </summary>
/// <param name="Location">Row of the dense output (see <see cref="Detection.Location"/>).</param>
/// <param name="Class">Class index.</param>
public sealed record BoxScoreTarget(int Location, int Class) : IExplanationTarget
{
    /// <summary>The target of a detection.</summary>
    public static BoxScoreTarget Of(Detection detection)
    {
        ArgumentNullException.ThrowIfNull(detection);
        return new BoxScoreTarget(detection.Location, detection.Label) { Box = detection.Box, Level = detection.Level, DetectionScore = detection.Score };
    }

    /// <summary>The detection's box, for figures (not part of the score).</summary>
    public BoundingBox? Box { get; init; }

    /// <summary>The pyramid level of the location, when known.</summary>
    public int? Level { get; init; }

    /// <summary>The detection's post-processed score, when known.</summary>
    public float? DetectionScore { get; init; }

    /// <inheritdoc/>
    public int? ClassIndex => Class;

    /// <inheritdoc/>
    public Tensor Score(Tensor output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (output.dim() != 2)
            throw new ArgumentException($"a box-score target reads a detector's dense output [locations, K + 11]; got [{string.Join(",", output.shape)}] (is the model a detector?)");
        var layout = DenseDetectionLayout.Of(output);
        if (Class < 0 || Class >= layout.NumClasses)
            throw new ArgumentOutOfRangeException(nameof(Class), Class, $"class {Class} is outside the detector's {layout.NumClasses} classes");
        if (Location < 0 || Location >= output.shape[0])
            throw new ArgumentOutOfRangeException(nameof(Location), Location, $"location {Location} is outside the output's {output.shape[0]} locations");
        return output[Location, Class];
    }

    /// <inheritdoc/>
    public string Describe(Func<int, string> labelOf)
    {
        ArgumentNullException.ThrowIfNull(labelOf);
        if (Box is not { } b) return $"{labelOf(Class)} at location {Location}";
        return string.Create(CultureInfo.InvariantCulture, $"{labelOf(Class)} box [{b.X0:0},{b.Y0:0},{b.X1:0},{b.Y1:0}]");
    }
}
