namespace AutoTimm.Training;

/// <summary>Accuracy, per-class accuracy and confusion matrix of a classifier on a data set.</summary>
public sealed record ClassificationReport
{
    /// <summary>Samples evaluated.</summary>
    public required int Count { get; init; }

    /// <summary>Share of samples whose top-1 prediction is the label.</summary>
    public required double Accuracy { get; init; }

    /// <summary>Mean cross-entropy loss.</summary>
    public required double Loss { get; init; }

    /// <summary>Accuracy per true class (NaN for a class with no sample).</summary>
    public required IReadOnlyList<double> PerClassAccuracy { get; init; }

    /// <summary>Unreadable images that were skipped (another image of the folder took their place).</summary>
    public int Skipped { get; init; }

    /// <summary>Counts: row = true class, column = predicted class.</summary>
    public required IReadOnlyList<IReadOnlyList<long>> ConfusionMatrix { get; init; }
}
