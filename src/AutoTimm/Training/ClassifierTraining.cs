using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using AutoTimm.Data;
using AutoTimm.Imaging;
using AutoTimm.Models;
using AutoTimm.Training.Loggers;
using static TorchSharp.torch;

namespace AutoTimm.Training;

/// <summary>Trains and evaluates classifiers end to end: data, model, trainer, final test, provenance.</summary>
public static class ClassifierTraining
{
    /// <summary>Name of the final model file in the run's output folder.</summary>
    public const string ModelFileName = "model.safetensors";

    /// <summary>Name of the provenance file beside it.</summary>
    public const string ProvenanceFileName = "provenance.json";

    /// <summary>Runs a training: fits with validation each epoch, keeps the best epoch, tests it, writes provenance.</summary>
    public static TrainingOutcome Run(TrainingRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (run.Workers < 1) throw new ArgumentException($"workers must be at least 1, not {run.Workers}");
        run.Validate();
        if (run.Threads is { } threads) set_num_threads(threads);
        var clock = Stopwatch.StartNew();
        var preprocess = ModelZoo.DefaultPreprocess(run.Arch) with { Height = run.CanvasSize, Width = run.CanvasSize, CropPct = 1.0f };
        var data = ClassificationData.Open(run, preprocess);
        preprocess = preprocess with { Height = data.Height, Width = data.Width };

        manual_seed(run.Seed);
        using var model = ModelZoo.Create(run.Arch, data.ClassNames.Count, preprocess, data.ClassNames);
        if (run.InitFrom is { } init) ModelCheckpoint.LoadInto(model, init);
        Directory.CreateDirectory(run.OutputDir);
        using var logger = TrainingLoggers.Create(run.Logger, run.OutputDir);
        var train = Source(data.Train, preprocess, run.BatchSize, shuffle: true, run.Seed, run.Workers,
            new Augment(new AugmentOptions { FlipProbability = 0.5f }, (ulong)run.Seed));
        var validation = Source(data.Validation, preprocess, 256, shuffle: false, run.Seed, run.Workers, null);
        var trainer = new AutoTrainer(run.TrainerOptions(train.BatchesPerEpoch, logger, validation));
        var fit = trainer.Fit(model, train, validation);

        ModelCheckpoint.LoadInto(model, fit.BestCheckpoint!);
        var test = ClassificationEvaluator.Evaluate(model, Source(data.Test, preprocess, 256, shuffle: false, run.Seed, run.Workers, null), run.Progress, "test");
        var modelPath = Path.Combine(run.OutputDir, ModelFileName);
        ModelCheckpoint.Save(model, modelPath, new Dictionary<string, string>
        {
            ["test_accuracy"] = test.Accuracy.ToString("R", CultureInfo.InvariantCulture),
            ["seed"] = run.Seed.ToString(CultureInfo.InvariantCulture),
        });
        var provenancePath = Path.Combine(run.OutputDir, ProvenanceFileName);
        WriteProvenance(provenancePath, run, model, data, fit, test, clock.Elapsed);
        return new TrainingOutcome { ModelPath = modelPath, ProvenancePath = provenancePath, Test = test, Fit = fit };
    }

    /// <summary>Evaluates a classifier on the cluttered test canvases (or an ImageFolder).</summary>
    /// <param name="model">The classifier; its input size sets the canvas size.</param>
    /// <param name="data"><c>canvas</c> or an ImageFolder path (all its images are evaluated).</param>
    /// <param name="dataDir">Fashion-MNIST folder.</param>
    /// <param name="count">Evaluate only the first this many samples.</param>
    /// <param name="workers">Threads that decode samples ahead of the model; the report is the same for any count.</param>
    /// <param name="progress">Receives batches done; silent when null.</param>
    /// <param name="log">Receives warnings (skipped images); silent when null.</param>
    public static ClassificationReport Evaluate(ImageClassifier model, string data = "canvas", string? dataDir = null, int? count = null, int workers = 1,
        IProgress<WorkProgress>? progress = null, Microsoft.Extensions.Logging.ILogger? log = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var p = model.Config.Preprocess;
        IDataset dataset = data == "canvas"
            ? ClassificationData.TestCanvases(dataDir, p.Height, count)
            : ClassificationData.OpenImageFolder(data, p, log);
        var report = ClassificationEvaluator.Evaluate(model, Source(dataset, p, 256, shuffle: false, 0, workers, null), progress);
        return dataset is ImageFolderDataset folder ? report with { Skipped = folder.SkippedCount } : report;
    }

    private static LoaderBatchSource Source(IDataset dataset, PreprocessConfig preprocess, int batchSize, bool shuffle, long seed, int workers, Augment? augment) =>
        new(new DataLoader(dataset, new DataLoaderOptions { BatchSize = batchSize, Shuffle = shuffle, Seed = (ulong)seed, DropLast = shuffle, Workers = workers }),
            preprocess, augment);

    private static void WriteProvenance(string path, TrainingRun run, ImageClassifier model, ClassificationData data, FitResult fit,
        ClassificationReport test, TimeSpan elapsed)
    {
        var provenance = new
        {
            command = run.CommandLine,
            arch = run.Arch,
            parameters = model.parameters().Sum(p => p.numel()),
            data = run.Data == "canvas"
                ? $"cluttered Fashion-MNIST canvases {run.CanvasSize}x{run.CanvasSize}: train {data.Train.Count} (train split items 0-{Math.Min(data.Train.Count, data.CanvasItems) - 1}, seed {run.Seed}, {(run.FreshCanvasesEachEpoch ? "new canvases each epoch" : "the same canvases each epoch")}), validation {data.Validation.Count} (train split items {data.CanvasItems}-{data.CanvasItems + data.Validation.Count - 1}), test {data.Test.Count} (test split, seed {ClassificationData.TestCanvasSeed})"
                : $"ImageFolder {run.Data}: train {data.Train.Count}, validation {data.Validation.Count}, test {data.Test.Count} (seeded 80/10/10 split)",
            seed = run.Seed,
            init_from = run.InitFrom,
            epochs = fit.History.Count,
            batch_size = run.BatchSize,
            learning_rate = run.LearningRate,
            best_validation_accuracy = fit.BestMetric,
            test_accuracy = test.Accuracy,
            // A class without test images has no accuracy: null, not NaN.
            test_per_class_accuracy = test.PerClassAccuracy.Select(a => double.IsFinite(a) ? a : (double?)null),
            training_seconds = Math.Round(elapsed.TotalSeconds),
            threads = get_num_threads(),
            onednn = Native.TorchRuntime.OneDnn.ToString(),
            machine = $"{Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}",
            history = fit.History.Select(h => h.Metrics),
        };
        // A diverged run's losses are not finite: written as "NaN"/"Infinity", as everywhere in the output.
        var json = JsonSerializer.SerializeToNode(provenance, JsonConventions.Output)!.AsObject();
        if (data.Folder is { } folder)
        {
            var skipped = new System.Text.Json.Nodes.JsonObject();
            foreach (var (file, reason) in folder.SkippedFiles.OrderBy(kv => kv.Key, StringComparer.Ordinal)) skipped[file] = reason;
            json["skipped_images"] = skipped;
        }
        AtomicFile.WriteAllText(path, json.ToJsonString(JsonConventions.Output));
    }
}
