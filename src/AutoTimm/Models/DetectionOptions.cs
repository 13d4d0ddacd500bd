namespace AutoTimm.Models;

/// <summary>How dense predictions become detections (torchvision's FCOS defaults).</summary>
public sealed record DetectionOptions
{
    /// <summary>Defaults.</summary>
    public static DetectionOptions Default { get; } = new();

    /// <summary>Locations scoring at or below this are dropped before NMS.</summary>
    public float ScoreThreshold { get; init; } = 0.2f;

    /// <summary>Boxes of the same class overlapping a higher-scoring one by more than this IoU are suppressed.</summary>
    public float NmsThreshold { get; init; } = 0.6f;

    /// <summary>Best candidates kept per level before NMS.</summary>
    public int TopKCandidates { get; init; } = 1000;

    /// <summary>Detections kept per image after NMS.</summary>
    public int DetectionsPerImage { get; init; } = 100;

    /// <summary>Checks the values.</summary>
    public void Validate()
    {
        if (!(ScoreThreshold is >= 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(ScoreThreshold), ScoreThreshold, "the score threshold must be in [0, 1)");
        if (!(NmsThreshold is > 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(NmsThreshold), NmsThreshold, "the NMS threshold must be in (0, 1]");
        ArgumentOutOfRangeException.ThrowIfLessThan(TopKCandidates, 1, nameof(TopKCandidates));
        ArgumentOutOfRangeException.ThrowIfLessThan(DetectionsPerImage, 1, nameof(DetectionsPerImage));
    }
}
