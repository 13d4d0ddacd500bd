using System.CommandLine;
using AutoTimm.Imaging;
using AutoTimm.Interpretation.Training;
using AutoTimm.Models;
using AutoTimm.Training;

namespace AutoTimm.Cli.Commands;

/// <summary>
/// <c>autotimm train</c>: train a classifier on cluttered Fashion-MNIST canvases or an ImageFolder, or a detector or
/// segmenter on multi-object canvases.
/// </summary>
internal static class TrainCommand
{
    private const string DetectionArch = "fcos_resnet10_tiny_fpn";
    private const string SegmentationArch = "deeplabv3_resnet10_tiny";
    private const int MultiObjectCanvasSize = 96;

    public static Command Create()
    {
        var defaults = new TrainingRun();
        var task = new Option<string>("--task") { Description = "classification | detection | segmentation", DefaultValueFactory = _ => "classification" };
        task.AcceptOnlyFromAmong("classification", "detection", "segmentation");
        var arch = new Option<string?>("--arch") { Description = $"Architecture (see the model zoo; default {defaults.Arch}, {DetectionArch} for detection, {SegmentationArch} for segmentation)" };
        var data = new Option<string>("--data") { Description = "'canvas' (cluttered Fashion-MNIST) or an ImageFolder path (class per subfolder)", DefaultValueFactory = _ => defaults.Data };
        var dataDir = new Option<string?>("--data-dir") { Description = "Folder holding the Fashion-MNIST IDX files (default: AUTOTIMM_DATA_DIR, then the Debian package)" };
        var canvasSize = new Option<int?>("--canvas-size") { Description = $"Canvas side in pixels (default {defaults.CanvasSize}, {MultiObjectCanvasSize} for detection and segmentation)" };
        var trainSize = new Option<int?>("--train-size") { Description = "Training canvases per epoch (default: 55000)" };
        var sameCanvases = new Option<bool>("--same-canvases-each-epoch") { Description = "Show the same training canvases every epoch (default: new canvases of the same items each epoch)" };
        var valSize = new Option<int>("--val-size") { Description = "Validation canvases", DefaultValueFactory = _ => defaults.ValSize };
        var epochs = new Option<int>("--epochs") { Description = "Epochs", DefaultValueFactory = _ => defaults.Epochs };
        var batchSize = new Option<int>("--batch-size") { Description = "Batch size", DefaultValueFactory = _ => defaults.BatchSize };
        var lr = new Option<double>("--lr") { Description = "Peak learning rate (cosine schedule with warm-up)", DefaultValueFactory = _ => defaults.LearningRate };
        var weightDecay = new Option<double>("--weight-decay") { Description = "Weight decay", DefaultValueFactory = _ => defaults.WeightDecay };
        var optimizer = new Option<string>("--optimizer") { Description = "adamw | sgd", DefaultValueFactory = _ => "adamw" };
        var outputDir = new Option<string>("--output-dir") { Description = "Output folder: checkpoints, logs, model.safetensors, provenance.json", DefaultValueFactory = _ => defaults.OutputDir };
        var logger = new Option<string>("--logger") { Description = "tensorboard | csv | none, comma-joined", DefaultValueFactory = _ => defaults.Logger };
        var seed = new Option<long>("--seed") { Description = "Seed", DefaultValueFactory = _ => defaults.Seed };
        var resume = new Option<bool>("--resume") { Description = "Continue the run in --output-dir" };
        var initFrom = new Option<string?>("--init-from") { Description = "Start from the weights of this checkpoint (same architecture) instead of a fresh initialisation" };
        var threads = new Option<int?>("--threads") { Description = "libtorch threads" };
        var workers = new Option<int>("--workers") { Description = "Threads reading samples (decoding images, drawing canvases) ahead of the model; same batches for any count", DefaultValueFactory = _ => defaults.Workers };
        var interpretSamples = new Option<int>("--interpret-samples") { Description = "Classifiers: explain this many validation images (for their true labels) after each logged epoch, to TensorBoard and CSV artifacts; 0 for none", DefaultValueFactory = _ => 0 };
        interpretSamples.Validators.Add(result => CliValidation.InRange(result, "--interpret-samples", 0, 64));
        var interpretWith = new Option<string>("--interpret-method") { Description = "The method --interpret-samples explains with", DefaultValueFactory = _ => "gradcam" };
        interpretWith.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<string>();
            if (Interpretation.Engine.MethodRegistry.TryFind(value) is null) result.AddError($"--interpret-method {value} is not a method; known: {string.Join(", ", Interpretation.Engine.MethodRegistry.All.Select(m => m.Id))}");
        });
        var monitorLayers = new Option<string?>("--monitor-layers") { Description = "Log feature statistics (mean, std, sparsity, max, histograms) of these comma-separated layers after each epoch", HelpName = "names" };
        var monitorBatches = new Option<int>("--monitor-batches") { Description = "Validation batches --monitor-layers measures each epoch", DefaultValueFactory = _ => 10 };
        monitorBatches.Validators.Add(result => CliValidation.InRange(result, "--monitor-batches", 1, 10_000));
        var logEvery = new Option<int>("--log-every-epochs") { Description = "Epochs between --interpret-samples and --monitor-layers records", DefaultValueFactory = _ => 1 };
        logEvery.Validators.Add(result => CliValidation.InRange(result, "--log-every-epochs", 1, TrainingRun.MaxEpochs));
        // Checked at parse time (a usage error, exit 2); TrainingRun.Validate checks the same ranges for library callers.
        threads.Validators.Add(result => CliValidation.InRange(result, "--threads", 1, TrainingRun.MaxThreads));
        epochs.Validators.Add(result => CliValidation.InRange(result, "--epochs", 1, TrainingRun.MaxEpochs));
        batchSize.Validators.Add(result => CliValidation.InRange(result, "--batch-size", 1, TrainingRun.MaxBatchSize));
        workers.Validators.Add(result => CliValidation.InRange(result, "--workers", 1, TrainingRun.MaxWorkers));
        var command = new Command("train", "Train a classifier, detector or segmenter; prints the model path, test metrics and per-epoch history.");
        foreach (var option in new Option[] { task, arch, data, dataDir, canvasSize, trainSize, sameCanvases, valSize, epochs, batchSize, lr, weightDecay, optimizer, outputDir, logger, seed, resume, initFrom, threads, workers,
                     interpretSamples, interpretWith, monitorLayers, monitorBatches, logEvery })
            command.Options.Add(option);
        command.SetJsonAction(parse =>
        {
            using var logs = CliLog.Create();
            var kind = parse.GetValue(task)!;
            var name = parse.GetValue(arch) ?? kind switch { "detection" => DetectionArch, "segmentation" => SegmentationArch, _ => defaults.Arch };
            var expected = kind switch { "detection" => ModelTask.ObjectDetector, "segmentation" => ModelTask.SemanticSegmentor, _ => ModelTask.ImageClassifier };
            if (ModelZoo.TaskOf(name) != expected)
                throw new ArgumentException($"--arch {name} is a {ModelZoo.TaskOf(name)}; --task {kind} needs a {expected} architecture");
            var run = new TrainingRun
            {
                Arch = name,
                Data = parse.GetValue(data)!,
                DataDir = parse.GetValue(dataDir),
                CanvasSize = parse.GetValue(canvasSize) ?? (expected == ModelTask.ImageClassifier ? defaults.CanvasSize : MultiObjectCanvasSize),
                TrainSize = parse.GetValue(trainSize),
                FreshCanvasesEachEpoch = !parse.GetValue(sameCanvases),
                ValSize = parse.GetValue(valSize),
                Epochs = parse.GetValue(epochs),
                BatchSize = parse.GetValue(batchSize),
                LearningRate = parse.GetValue(lr),
                WeightDecay = parse.GetValue(weightDecay),
                Optimizer = parse.GetValue(optimizer)!.ToLowerInvariant() switch
                {
                    "adamw" => OptimizerKind.AdamW,
                    "sgd" => OptimizerKind.Sgd,
                    var other => throw new ArgumentException($"unknown optimizer '{other}'; known: adamw, sgd"),
                },
                OutputDir = parse.GetValue(outputDir)!,
                Logger = parse.GetValue(logger)!,
                Seed = parse.GetValue(seed),
                Resume = parse.GetValue(resume),
                InitFrom = parse.GetValue(initFrom),
                Threads = parse.GetValue(threads),
                Workers = parse.GetValue(workers),
                CommandLine = "autotimm " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1)),
                Callbacks = TrainingCallbacks(expected, parse.GetValue(interpretSamples), parse.GetValue(interpretWith)!, parse.GetValue(monitorLayers),
                    parse.GetValue(monitorBatches), parse.GetValue(logEvery)),
            };
            if (expected != ModelTask.ImageClassifier)
            {
                var trained = CliProgress.Run(progress => MultiObjectTraining.Run(run with { Progress = progress, Log = logs.CreateLogger("train") }));
                return (object)new
                {
                    model = trained.ModelPath,
                    provenance = trained.ProvenancePath,
                    test = trained.Test,
                    best_validation = trained.Fit.BestMetric,
                    epochs = trained.Fit.History.Count,
                    stop_reason = trained.Fit.StopReason,
                    history = trained.Fit.History.Select(h => h.Metrics),
                };
            }
            var outcome = CliProgress.Run(progress => ClassifierTraining.Run(run with { Progress = progress, Log = logs.CreateLogger("train") }));
            return new
            {
                model = outcome.ModelPath,
                provenance = outcome.ProvenancePath,
                test_accuracy = outcome.Test.Accuracy,
                best_val_accuracy = outcome.Fit.BestMetric,
                epochs = outcome.Fit.History.Count,
                stop_reason = outcome.Fit.StopReason,
                history = outcome.Fit.History.Select(h => h.Metrics),
            };
        });
        return command;
    }

    /// <summary>The callbacks the interpretation flags ask for, made from the fit's validation batches.</summary>
    private static Func<IBatchSource, IReadOnlyList<ITrainerCallback>>? TrainingCallbacks(ModelTask task, int samples, string method, string? layers, int batches, int every)
    {
        if (samples > 0 && task != ModelTask.ImageClassifier)
            throw new ArgumentException($"--interpret-samples explains a classifier's predictions; a {task} is explained with autotimm interpret after training");
        if (samples == 0 && layers is null) return null;
        return validation =>
        {
            var callbacks = new List<ITrainerCallback>();
            if (samples > 0)
            {
                // The first validation images, with their true labels: the same ones every epoch.
                var images = new List<ImageInput>();
                var labels = new List<int?>();
                foreach (var batch in validation.Batches(0))
                {
                    using (batch)
                    {
                        for (int i = 0; i < batch.Count && images.Count < samples; i++)
                        {
                            using var image = batch.Images[i];
                            using var label = batch.Targets[i];
                            images.Add(ImageInput.FromTensor(image.clone()));
                            labels.Add((int)label.item<long>());
                        }
                    }
                    if (images.Count == samples) break;
                }
                callbacks.Add(new InterpretationCallback(images, method, logEveryNEpochs: every, numSamples: samples, labels: labels));
            }
            if (layers is not null) callbacks.Add(new FeatureMonitorCallback(MethodOptions.SplitList(layers), every, batches));
            return callbacks;
        };
    }
}
