namespace AutoTimm.Interpretation.Metrics;

/// <summary>Every localization metric of one map against one region, with the parameters used.</summary>
public sealed record LocalizationScores
{
    /// <summary>Pointing game hit (1) or miss (0).</summary>
    public required MetricValue PointingGame { get; init; }

    /// <summary>Share of saliency inside the region: the energy-based pointing game on a box, relevance mass accuracy on a mask.</summary>
    public required MetricValue MassInside { get; init; }

    /// <summary>Relevance rank accuracy.</summary>
    public required MetricValue RankAccuracy { get; init; }

    /// <summary>IoU at <see cref="Threshold"/>.</summary>
    public required MetricValue Iou { get; init; }

    /// <summary>The best IoU over thresholds 0.05..0.95.</summary>
    public required MetricValue BestIou { get; init; }

    /// <summary>The threshold giving <see cref="BestIou"/>.</summary>
    public required double BestThreshold { get; init; }

    /// <summary>Pointing-game tolerance in pixels.</summary>
    public required double Tolerance { get; init; }

    /// <summary>IoU threshold.</summary>
    public required double Threshold { get; init; }
}

/// <summary>Localization of one detection's own explanation.</summary>
/// <param name="Index">The detection's index in the explanation.</param>
/// <param name="GroundTruth">The index of the ground-truth box scored against (same class, highest IoU), or null when it was scored against its own predicted box.</param>
/// <param name="BoxIou">IoU of the predicted box with that ground-truth box (1 for its own box).</param>
/// <param name="Scores">The map against that box.</param>
public sealed record DetectionLocalization(int Index, int? GroundTruth, double BoxIou, LocalizationScores Scores);

/// <summary>Localization of one explained segmentation class against its ground-truth mask.</summary>
/// <param name="Class">The class.</param>
/// <param name="Scores">The class's map against the pixels labelled with it.</param>
public sealed record SegmentationLocalization(int Class, LocalizationScores Scores);
