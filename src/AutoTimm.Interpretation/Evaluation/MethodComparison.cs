using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using AutoTimm.Interpretation.Visualization;

namespace AutoTimm.Interpretation.Evaluation;

/// <summary>
/// Methods x metrics over a set of images (<see cref="Explain.EvaluateAll"/>): per method and score the mean, spread and
/// bootstrap interval, time per image, mean curves and the parameters used; as JSON, a Markdown table and charts.
/// </summary>
public sealed record MethodComparison
{
    /// <summary>The model's architecture.</summary>
    public required string Arch { get; init; }

    /// <summary>Images evaluated.</summary>
    public required int Images { get; init; }

    /// <summary>The metric groups computed.</summary>
    public required IReadOnlyList<string> Metrics { get; init; }

    /// <summary>One entry per method, in the order asked for.</summary>
    public required IReadOnlyList<MethodEvaluation> Methods { get; init; }

    /// <summary>The parameters used.</summary>
    public required EvaluationOptions Options { get; init; }

    /// <summary>JSON settings of <see cref="ToJson"/>: the project's (<see cref="JsonConventions.Output"/>), enums as snake_case names.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonConventions.Output)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>The comparison as JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>
    /// A Markdown table: a row per method, a column per score with its mean and bootstrap interval (the best mean in
    /// bold), and the explanation time per image.
    /// </summary>
    public string ToMarkdown()
    {
        var scores = Metrics.SelectMany(EvaluationMetric.ScoresOf).ToList();
        var text = new StringBuilder();
        var level = Options.ConfidenceLevel.ToString("P0", CultureInfo.InvariantCulture);
        text.AppendLine(CultureInfo.InvariantCulture, $"Explanation quality of `{Arch}` over {Images} images: mean [{level} bootstrap interval]; ↑ higher is better, ↓ lower is better.");
        text.AppendLine();
        text.Append("| method | ms/image |");
        foreach (var (score, higher) in scores) text.Append(CultureInfo.InvariantCulture, $" {score} {(higher ? "↑" : "↓")} |");
        text.AppendLine();
        text.Append("|---|---:|").AppendLine(string.Concat(scores.Select(_ => "---:|")));
        var best = scores.ToDictionary(s => s.Score, s =>
        {
            var means = Methods.Select(m => m.Scores.GetValueOrDefault(s.Score)?.Mean).Where(v => v.HasValue).Select(v => v!.Value).ToList();
            return means.Count < 2 ? (double?)null : s.HigherIsBetter ? means.Max() : means.Min();
        });
        foreach (var method in Methods)
        {
            if (method.Error is not null)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"| {method.DisplayName} | not evaluated: {method.Error.Replace("|", "\\|", StringComparison.Ordinal)} |{string.Concat(scores.Select(_ => " |"))}");
                continue;
            }
            text.Append(CultureInfo.InvariantCulture, $"| {method.DisplayName} | {method.MillisecondsPerImage:F1} |");
            foreach (var (score, _) in scores)
            {
                var summary = method.Scores[score];
                if (summary.Mean is not { } mean)
                {
                    text.Append(" n/a |");
                    continue;
                }
                var cell = string.Create(CultureInfo.InvariantCulture, $"{mean:F3} [{summary.CiLow:F3}, {summary.CiHigh:F3}]");
                text.Append(' ').Append(best[score] == mean ? $"**{cell}**" : cell).Append(" |");
            }
            text.AppendLine();
        }
        var undefined = Methods.SelectMany(m => m.Scores.Where(s => s.Value.Undefined > 0).Select(s => (m.DisplayName, s.Key, s.Value))).ToList();
        if (undefined.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("Undefined values (left out of the means):");
            foreach (var (method, score, summary) in undefined)
                text.AppendLine(CultureInfo.InvariantCulture, $"- {method}, {score}: {summary.Undefined} of {summary.Undefined + summary.Count} images ({string.Join("; ", summary.Reasons)})");
        }
        return text.ToString();
    }

    /// <summary>Writes <c>comparison.json</c>, <c>comparison.md</c> and the charts into <paramref name="directory"/>; returns every path written.</summary>
    public IReadOnlyList<string> Save(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory.CreateDirectory(directory);
        var json = Path.Combine(directory, "comparison.json");
        var markdown = Path.Combine(directory, "comparison.md");
        AtomicFile.WriteAllText(json, ToJson());
        AtomicFile.WriteAllText(markdown, ToMarkdown());
        return [json, markdown, .. MetricPlots.Save(this, directory)];
    }
}
