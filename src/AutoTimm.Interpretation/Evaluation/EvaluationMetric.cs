namespace AutoTimm.Interpretation.Evaluation;

/// <summary>
/// The metric groups a comparison can compute (<c>--metrics</c>), and the scores each reports. Ids are stable: JSON
/// keys and report columns use them.
/// </summary>
public static class EvaluationMetric
{
    /// <summary>Deletion curve (RISE): <c>deletion_auc</c>, lower is better.</summary>
    public const string Deletion = "deletion";

    /// <summary>Insertion curve (RISE): <c>insertion_auc</c>, higher is better.</summary>
    public const string Insertion = "insertion";

    /// <summary>ROAD: <c>road_morf</c> (lower is better), <c>road_lerf</c> and <c>road_combined</c> (higher is better).</summary>
    public const string Road = "road";

    /// <summary>Faithfulness correlation: <c>faithfulness_correlation</c>, higher is better.</summary>
    public const string FaithfulnessCorrelation = "faithfulness_correlation";

    /// <summary>Max- and avg-sensitivity: <c>max_sensitivity</c>, <c>avg_sensitivity</c>, lower is better.</summary>
    public const string Sensitivity = "sensitivity";

    /// <summary>Infidelity: <c>infidelity</c>, lower is better.</summary>
    public const string Infidelity = "infidelity";

    /// <summary>
    /// Localization against the samples' regions: <c>pointing_game</c>, <c>relevance_mass</c> (the energy-based pointing
    /// game on a box), <c>rank_accuracy</c>, <c>iou</c>, <c>best_iou</c>; higher is better.
    /// </summary>
    public const string Localization = "localization";

    /// <summary>Cascading parameter randomization: <c>randomization_final</c>, the Spearman correlation after the last layer; lower is better.</summary>
    public const string Randomization = "randomization";

    /// <summary>Integrated Gradients completeness: <c>completeness_relative</c> (Integrated Gradients only), lower is better.</summary>
    public const string Completeness = "completeness";

    /// <summary>Every group, in report order.</summary>
    public static IReadOnlyList<string> All { get; } =
        [Deletion, Insertion, Road, FaithfulnessCorrelation, Sensitivity, Infidelity, Localization, Randomization, Completeness];

    /// <summary>The scores of a group, each with whether higher is better.</summary>
    public static IReadOnlyList<(string Score, bool HigherIsBetter)> ScoresOf(string group) => group switch
    {
        Deletion => [("deletion_auc", false)],
        Insertion => [("insertion_auc", true)],
        Road => [("road_morf", false), ("road_lerf", true), ("road_combined", true)],
        FaithfulnessCorrelation => [("faithfulness_correlation", true)],
        Sensitivity => [("max_sensitivity", false), ("avg_sensitivity", false)],
        Infidelity => [("infidelity", false)],
        Localization => [("pointing_game", true), ("relevance_mass", true), ("rank_accuracy", true), ("iou", true), ("best_iou", true)],
        Randomization => [("randomization_final", false)],
        Completeness => [("completeness_relative", false)],
        _ => throw new ArgumentException($"unknown metric '{group}'; known: {string.Join(", ", All)}", nameof(group)),
    };

    /// <summary>Parses metric group names (case-insensitive, '-' and '_' alike) and checks them.</summary>
    public static IReadOnlyList<string> Parse(IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var parsed = new List<string>();
        foreach (var name in names)
        {
            var key = name.Trim().ToLowerInvariant().Replace('-', '_');
            if (!All.Contains(key)) throw new ArgumentException($"unknown metric '{name}'; known: {string.Join(", ", All)}", nameof(names));
            if (!parsed.Contains(key)) parsed.Add(key);
        }
        if (parsed.Count == 0) throw new ArgumentException("no metrics given", nameof(names));
        return parsed;
    }
}
