namespace AutoTimm.Interpretation.Metrics;

/// <summary>One step of the cascade: the layers randomized so far end with <paramref name="Layer"/>.</summary>
/// <param name="Layer">The module whose parameters were re-initialized at this step (dotted name).</param>
/// <param name="Correlations">Per image, the Spearman correlation of the absolute map with the original's.</param>
public sealed record RandomizationStep(string Layer, IReadOnlyList<MetricValue> Correlations)
{
    /// <summary>Mean correlation over the images where it is defined; NaN when it is defined for none.</summary>
    public double MeanCorrelation => Correlations.Where(c => c.IsDefined).Select(c => c.Value).DefaultIfEmpty(double.NaN).Average();
}

/// <summary>
/// The cascading randomization check: after each layer, from the logits down, is re-initialized, how much the
/// explanation still resembles the original. A method that explains the model decorrelates fast (GradCAM); one that
/// mostly reflects the input does not (Guided Backprop). The model's weights are restored afterwards, bit for bit.
/// </summary>
public sealed record RandomizationResult
{
    /// <summary>The method checked.</summary>
    public required string Method { get; init; }

    /// <summary>The classes explained, one per image (fixed across steps).</summary>
    public required IReadOnlyList<int> TargetClasses { get; init; }

    /// <summary>The steps, top layer first.</summary>
    public required IReadOnlyList<RandomizationStep> Steps { get; init; }

    /// <summary>The parameters used.</summary>
    public required RandomizationOptions Options { get; init; }

    /// <summary>The correlations after the last step (all layers checked randomized).</summary>
    public IReadOnlyList<MetricValue> Final => Steps[^1].Correlations;
}
