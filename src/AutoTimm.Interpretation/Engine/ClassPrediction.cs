using AutoTimm.Interpretation.Targets;

namespace AutoTimm.Interpretation.Engine;

/// <summary>A classifier's prediction for one image.</summary>
/// <param name="PredictedClass">Top-1 class.</param>
/// <param name="Probabilities">Softmax probabilities of every class.</param>
public sealed record ClassPrediction(int PredictedClass, IReadOnlyList<float> Probabilities) : PredictionSummary
{
    /// <inheritdoc/>
    public override int? TopClass => PredictedClass;

    /// <summary>Probability of the top-1 class.</summary>
    public double Confidence => Probabilities[PredictedClass];

    /// <inheritdoc/>
    public override string Headline(Func<int, string> labelOf)
    {
        ArgumentNullException.ThrowIfNull(labelOf);
        return $"Predicted: {labelOf(PredictedClass)}{Visualization.FigureText.PercentSuffix(Probabilities, PredictedClass)}";
    }

    /// <inheritdoc/>
    public override double? ConfidenceOf(IExplanationTarget target) =>
        target?.ClassIndex is int c && c >= 0 && c < Probabilities.Count && float.IsFinite(Probabilities[c]) ? Probabilities[c] : null;
}
