using AutoTimm.Interpretation.Targets;

namespace AutoTimm.Interpretation.Engine;

/// <summary>
/// What a model predicted for one image, as its task summarizes it: a class with probabilities for a classifier;
/// detections for a detector; classes present for a segmenter. Figures, reports and the CLI show it.
/// </summary>
public abstract record PredictionSummary
{
    /// <summary>The class the prediction is mostly about (a classifier's top class), when there is one.</summary>
    public abstract int? TopClass { get; }

    /// <summary>One line for figure titles, e.g. <c>Predicted: Sneaker (92.4%)</c>.</summary>
    public abstract string Headline(Func<int, string> labelOf);

    /// <summary>The model's confidence in what <paramref name="target"/> explains, when the task knows it.</summary>
    public virtual double? ConfidenceOf(IExplanationTarget target) => null;
}
