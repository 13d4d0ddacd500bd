namespace AutoTimm.Interpretation.Metrics;

/// <summary>
/// ROAD scores of one explanation: per percentile, the tracked score after imputation minus the score of the original
/// image, removing the most relevant pixels first (lower is better) and the least relevant first (higher is better),
/// and pytorch-grad-cam's combined score <c>(mean LeRF - mean MoRF) / 2</c> (higher is better).
/// </summary>
public sealed record RoadResult
{
    /// <summary>The class whose score is tracked.</summary>
    public required int TargetClass { get; init; }

    /// <summary>The score of the unperturbed image.</summary>
    public required double BaseScore { get; init; }

    /// <summary>Score change per percentile, most relevant removed first.</summary>
    public required IReadOnlyList<double> MostRelevantFirst { get; init; }

    /// <summary>Score change per percentile, least relevant removed first.</summary>
    public required IReadOnlyList<double> LeastRelevantFirst { get; init; }

    /// <summary>Pixels kept (not imputed) per percentile, the same for both orders.</summary>
    public required IReadOnlyList<int> KeptPixels { get; init; }

    /// <summary>The parameters used.</summary>
    public required RoadOptions Options { get; init; }

    /// <summary>Mean of <see cref="MostRelevantFirst"/> (pytorch-grad-cam's <c>ROADMostRelevantFirstAverage</c>).</summary>
    public double MostRelevantFirstMean => MostRelevantFirst.Average();

    /// <summary>Mean of <see cref="LeastRelevantFirst"/> (<c>ROADLeastRelevantFirstAverage</c>).</summary>
    public double LeastRelevantFirstMean => LeastRelevantFirst.Average();

    /// <summary><c>(LeRF mean - MoRF mean) / 2</c> (<c>ROADCombined</c>).</summary>
    public double Combined => (LeastRelevantFirstMean - MostRelevantFirstMean) / 2;
}
