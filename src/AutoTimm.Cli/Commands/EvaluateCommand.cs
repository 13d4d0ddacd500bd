using System.CommandLine;
using AutoTimm.Models;
using AutoTimm.Training;

namespace AutoTimm.Cli.Commands;

/// <summary>
/// <c>autotimm evaluate</c>: accuracy, per-class accuracy and confusion matrix of a classifier; mAP@0.5, mAP@[.5:.95]
/// and per-class AP of a detector; mIoU (with and without background) and per-class IoU of a segmenter.
/// </summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var model = new ModelOptions();
        var data = new Option<string>("--data") { Description = "'canvas' (the cluttered Fashion-MNIST test canvases) or an ImageFolder path", DefaultValueFactory = _ => "canvas" };
        var dataDir = new Option<string?>("--data-dir") { Description = "Folder holding the Fashion-MNIST IDX files" };
        var limit = new Option<int?>("--limit") { Description = "Evaluate only the first N samples" };
        var workers = new Option<int>("--workers") { Description = "Threads reading samples (decoding images, drawing canvases) ahead of the model; same report for any count", DefaultValueFactory = _ => 1 };
        var command = new Command("evaluate",
            "Evaluate a model on its test data: a classifier's accuracy, per_class_accuracy and confusion_matrix; a detector's map50, map and per-class AP; a segmenter's miou and per-class IoU.");
        model.AddTo(command);
        command.Options.Add(data);
        command.Options.Add(dataDir);
        command.Options.Add(limit);
        command.Options.Add(workers);
        command.SetJsonAction(parse =>
        {
            using var loaded = model.LoadAny(parse, null);
            using var logs = CliLog.Create();
            if (loaded.Config.Task != ModelTask.ImageClassifier)
            {
                if (parse.GetValue(data) != "canvas")
                    throw new ArgumentException($"detectors and segmenters are evaluated on the multi-object test canvases (--data canvas), not {parse.GetValue(data)}");
                var metrics = CliProgress.Run(progress => MultiObjectTraining.Evaluate(loaded, parse.GetValue(dataDir), parse.GetValue(limit), progress));
                metrics["arch"] = loaded.Config.Arch;
                metrics["task"] = loaded.Config.Task.ToString();
                return (object)metrics;
            }
            var classifier = (ImageClassifier)loaded;
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
