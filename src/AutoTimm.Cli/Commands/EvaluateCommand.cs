using System.CommandLine;
using AutoTimm.Training;

namespace AutoTimm.Cli.Commands;

/// <summary><c>autotimm evaluate</c>: accuracy, per-class accuracy and confusion matrix of a classifier.</summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var model = new ModelOptions();
        var data = new Option<string>("--data") { Description = "'canvas' (the cluttered Fashion-MNIST test canvases) or an ImageFolder path", DefaultValueFactory = _ => "canvas" };
        var dataDir = new Option<string?>("--data-dir") { Description = "Folder holding the Fashion-MNIST IDX files" };
        var limit = new Option<int?>("--limit") { Description = "Evaluate only the first N samples" };
        var workers = new Option<int>("--workers") { Description = "Threads reading samples (decoding images, drawing canvases) ahead of the model; same report for any count", DefaultValueFactory = _ => 1 };
        var command = new Command("evaluate", "Evaluate a classifier; prints accuracy, per_class_accuracy and confusion_matrix.");
        model.AddTo(command);
        command.Options.Add(data);
        command.Options.Add(dataDir);
        command.Options.Add(limit);
        command.Options.Add(workers);
        command.SetJsonAction(parse =>
        {
            using var classifier = model.Load(parse);
            using var logs = CliLog.Create();
            var report = CliProgress.Run(progress => ClassifierTraining.Evaluate(classifier, parse.GetValue(data)!, parse.GetValue(dataDir), parse.GetValue(limit),
                parse.GetValue(workers), progress, logs.CreateLogger("evaluate")));
            return new
            {
                arch = classifier.Config.Arch,
                count = report.Count,
                accuracy = report.Accuracy,
                loss = report.Loss,
                skipped = report.Skipped,
                per_class_accuracy = report.PerClassAccuracy.Select((a, c) => new { @class = c, label = classifier.Config.LabelOf(c), accuracy = a }),
                confusion_matrix = report.ConfusionMatrix,
            };
        });
        return command;
    }
}
