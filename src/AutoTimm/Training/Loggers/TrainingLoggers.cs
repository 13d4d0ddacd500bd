namespace AutoTimm.Training.Loggers;

/// <summary>Creates loggers by name, as <c>AutoTrainer(logger: "tensorboard")</c> does.</summary>
public static class TrainingLoggers
{
    /// <summary>Names accepted by <see cref="Create"/>.</summary>
    public static IReadOnlyList<string> Names { get; } = ["tensorboard", "csv", "none"];

    /// <summary>
    /// Creates a logger: <c>tensorboard</c> (event files in <c>dir/tensorboard</c>), <c>csv</c> (<c>dir/metrics.csv</c>),
    /// <c>none</c>, or several joined by commas (<c>tensorboard,csv</c>).
    /// </summary>
    public static ITrainingLogger Create(string names, string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(names);
        var parts = names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var loggers = new List<ITrainingLogger>();
        foreach (var name in parts)
        {
            loggers.Add(name.ToLowerInvariant() switch
            {
                "tensorboard" => new TensorBoardLogger(Path.Combine(directory, "tensorboard")),
                "csv" => new CsvLogger(directory),
                "none" => new NullLogger(),
                "wandb" or "mlflow" => throw new NotSupportedException(
                    $"logger '{name}' needs a service this offline toolkit does not talk to; use tensorboard or csv, or implement ITrainingLogger"),
                _ => throw new ArgumentException($"unknown logger '{name}'; known: {string.Join(", ", Names)}", nameof(names)),
            });
        }
        return loggers.Count == 1 ? loggers[0] : new CompositeLogger(loggers);
    }
}
