namespace AutoTimm.Models;

/// <summary>One class of a ranked prediction.</summary>
/// <param name="Class">Class index.</param>
/// <param name="Label">Class name, or the index as text when the model has no names.</param>
/// <param name="Probability">Softmax probability.</param>
public sealed record ClassScore(int Class, string Label, double Probability);

/// <summary>A classifier's answer for one image.</summary>
public sealed record Prediction
{
    /// <summary>Top-1 class index.</summary>
    public required int PredictedClass { get; init; }

    /// <summary>Top-1 class name (or index as text).</summary>
    public required string Label { get; init; }

    /// <summary>Softmax probability of the top-1 class.</summary>
    public required double Confidence { get; init; }

    /// <summary>The best classes, most probable first.</summary>
    public required IReadOnlyList<ClassScore> TopK { get; init; }

    /// <summary>Raw logits of every class.</summary>
    public required IReadOnlyList<float> Logits { get; init; }

    /// <summary>Softmax probabilities of every class.</summary>
    public required IReadOnlyList<float> Probabilities { get; init; }
}
