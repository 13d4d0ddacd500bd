using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using AutoTimm.Data;
using AutoTimm.Imaging;
using AutoTimm.Models;
using AutoTimm.Training.Loggers;
using static TorchSharp.torch;

namespace AutoTimm.Training;

/// <summary>
/// Trains a detector or a segmenter on multi-object Fashion-MNIST canvases (1-4 items with boxes and per-pixel class
/// masks; background is class 0 for segmentation), evaluates it on the test canvases, and writes
/// <c>model.safetensors</c> and <c>provenance.json</c>: what <c>autotimm train --task detection|segmentation</c> runs.
/// </summary>
public static class MultiObjectTraining
{
    /// <summary>Seed of the test canvases (test split items).</summary>
    public const ulong TestCanvasSeed = 20261130;

    /// <summary>Canvases in the test set.</summary>
    public const int TestCanvases = 1000;

    private const int ValidationItems = 5000;

    /// <summary>Canvas options for a canvas size: 1-4 items, scaled so the largest is at most half the canvas.</summary>
    public static MultiObjectCanvasOptions CanvasOptions(int size) =>
        new() { Size = size, MaxScale = MathF.Min(2.2f, MathF.Floor(size / 2f / 28 * 100) / 100) };

    /// <summary>The test canvases of a task at a size: the same for training's final evaluation and <c>autotimm evaluate</c>.</summary>
    public static MultiObjectBatchSource TestSet(ModelTask task, PreprocessConfig preprocess, string? dataDir = null, int? count = null, int batchSize = 64)
    {
        ArgumentNullException.ThrowIfNull(preprocess);
        if (preprocess.Height != preprocess.Width) throw new ArgumentException($"canvases are square; the model takes {preprocess.Height}x{preprocess.Width}");
        var mnist = FashionMnist.Load(dataDir);
        return new MultiObjectBatchSource(new MultiObjectCanvasGenerator(mnist.Test, TestCanvasSeed, CanvasOptions(preprocess.Height)),
            count ?? TestCanvases, batchSize, task, preprocess);
    }

    /// <summary>Number of classes a model of <paramref name="task"/> has on the canvases (segmentation adds the background).</summary>
    public static IReadOnlyList<string> ClassNames(ModelTask task) =>
        task == ModelTask.SemanticSegmentor ? ["background", .. FashionMnist.ClassNames] : FashionMnist.ClassNames;

    /// <summary>Trains, evaluates and saves; see the class summary.</summary>
    public static MultiObjectOutcome Run(TrainingRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (run.Data != "canvas") throw new ArgumentException($"detection and segmentation train on the multi-object canvases (--data canvas), not {run.Data}");
        run.Validate();
        if (run.Threads is { } threads) set_num_threads(threads);
        var clock = Stopwatch.StartNew();
        var task = ModelZoo.TaskOf(run.Arch);
        if (task == ModelTask.ImageClassifier) throw new ArgumentException($"{run.Arch} is a classifier; multi-object training needs a detector or segmenter architecture");
        var preprocess = ModelZoo.DefaultPreprocess(run.Arch) with { Height = run.CanvasSize, Width = run.CanvasSize, CropPct = 1.0f };
        var names = ClassNames(task);

        var mnist = FashionMnist.Load(run.DataDir);
        int trainItems = mnist.Train.Count - ValidationItems;
        var options = CanvasOptions(run.CanvasSize);
        var train = new MultiObjectBatchSource(new MultiObjectCanvasGenerator(mnist.Train.Slice("train-canvas", 0, trainItems), (ulong)run.Seed, options),
            run.TrainSize ?? trainItems, run.BatchSize, task, preprocess, freshEachEpoch: run.FreshCanvasesEachEpoch);
        var validation = new MultiObjectBatchSource(
            new MultiObjectCanvasGenerator(mnist.Train.Slice("validation-canvas", trainItems, ValidationItems), (ulong)run.Seed + 1, options),
            Math.Min(run.ValSize, ValidationItems), 64, task, preprocess);

        manual_seed(run.Seed);
        using var model = ModelZoo.CreateModel(ModelZoo.ConfigFor(run.Arch, names.Count, preprocess, names));
        if (run.InitFrom is { } init) ModelCheckpoint.LoadInto(model, init);
        Directory.CreateDirectory(run.OutputDir);
        using var logger = TrainingLoggers.Create(run.Logger, run.OutputDir);
        ITrainingObjective objective = task == ModelTask.ObjectDetector ? new DetectionObjective() : new SegmentationObjective();
        var trainer = new AutoTrainer(run.TrainerOptions(train.BatchesPerEpoch, logger, validation) with
        {
            Objective = objective,
            MonitorMetric = task == ModelTask.ObjectDetector ? "val_map50" : "val_miou",
        });
        var fit = trainer.Fit(model, train, validation);
        ModelCheckpoint.LoadInto(model, fit.BestCheckpoint!);

        var test = Evaluate(model, run.DataDir, null, run.Progress);
        var modelPath = Path.Combine(run.OutputDir, ClassifierTraining.ModelFileName);
        ModelCheckpoint.Save(model, modelPath, new Dictionary<string, string>
        {
            ["test_metrics"] = test.ToJsonString(),
            ["seed"] = run.Seed.ToString(CultureInfo.InvariantCulture),
        });
        var provenance = new JsonObject
        {
            ["command"] = run.CommandLine,
            ["arch"] = run.Arch,
            ["task"] = task.ToString(),
            ["parameters"] = model.parameters().Sum(p => p.numel()),
            ["data"] = $"multi-object Fashion-MNIST canvases {run.CanvasSize}x{run.CanvasSize}, {options.MinObjects}-{options.MaxObjects} items scaled {options.MinScale}-{options.MaxScale}: " +
                $"train {train.Count} per epoch (train split items 0-{trainItems - 1}, seed {run.Seed}, {(run.FreshCanvasesEachEpoch ? "new canvases each epoch" : "the same canvases each epoch")}), " +
                $"validation {validation.Count} (train split items {trainItems}-{trainItems + ValidationItems - 1}), test {TestCanvases} (test split, seed {TestCanvasSeed})",
            ["seed"] = run.Seed,
            ["init_from"] = run.InitFrom,
            ["epochs"] = fit.History.Count,
            ["batch_size"] = run.BatchSize,
            ["learning_rate"] = run.LearningRate,
            ["best_validation"] = fit.BestMetric,
            ["test"] = test,
            ["training_seconds"] = Math.Round(clock.Elapsed.TotalSeconds),
            ["threads"] = get_num_threads(),
            ["onednn"] = Native.TorchRuntime.OneDnn.ToString(),
            ["machine"] = $"{Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}",
            ["history"] = JsonSerializer.SerializeToNode(fit.History.Select(h => h.Metrics), JsonConventions.Output),
        };
        var provenancePath = Path.Combine(run.OutputDir, ClassifierTraining.ProvenanceFileName);
        AtomicFile.WriteAllText(provenancePath, provenance.ToJsonString(JsonConventions.Output));
        return new MultiObjectOutcome { ModelPath = modelPath, ProvenancePath = provenancePath, Test = test, Fit = fit };
    }

    /// <summary>
    /// Scores a detector (mAP@0.5, mAP@[.5:.95], per-class AP) or a segmenter (mIoU with and without background,
    /// per-class IoU, pixel accuracy) on the multi-object test canvases at its input size.
    /// </summary>
    public static JsonObject Evaluate(VisionModel model, string? dataDir = null, int? count = null, IProgress<WorkProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var data = TestSet(model.Config.Task, model.Config.Preprocess, dataDir, count);
        string Label(int c) => model.Config.LabelOf(c);
        JsonObject PerClass(IReadOnlyList<double> values) =>
            new(values.Select((v, c) => KeyValuePair.Create(Label(c), (JsonNode?)(double.IsNaN(v) ? null : Math.Round(v, 4)))));
        switch (model)
        {
            case ObjectDetector detector:
            {
                var report = DetectionEvaluator.Evaluate(detector, data, progress, "test");
                return new JsonObject
                {
                    ["images"] = report.Count,
                    ["map50"] = report.MeanAp50,
                    ["map"] = report.MeanAp,
                    ["per_class_ap50"] = PerClass(report.PerClassAp50),
                    ["per_class_ap"] = PerClass(report.PerClassAp),
                    ["score_threshold"] = DetectionEvaluator.EvaluationOptions.ScoreThreshold,
                    ["interpolation"] = "COCO 101-point",
                };
            }
            case SemanticSegmentor segmentor:
            {
                var report = SegmentationEvaluator.Evaluate(segmentor, data, progress, "test");
                return new JsonObject
                {
                    ["images"] = report.Count,
                    ["miou"] = report.MeanIou,
                    ["miou_without_background"] = report.MeanIouWithoutBackground,
                    ["pixel_accuracy"] = report.PixelAccuracy,
                    ["per_class_iou"] = PerClass(report.PerClassIou),
                };
            }
            default:
                throw new ArgumentException($"{model.Config.Arch} is a {model.Config.Task}; multi-object evaluation scores detectors and segmenters");
        }
    }
}

/// <summary>What <see cref="MultiObjectTraining.Run"/> produced.</summary>
public sealed record MultiObjectOutcome
{
    /// <summary>The trained model.</summary>
    public required string ModelPath { get; init; }

    /// <summary>Its provenance.</summary>
    public required string ProvenancePath { get; init; }

    /// <summary>Test metrics.</summary>
    public required JsonObject Test { get; init; }

    /// <summary>The fit.</summary>
    public required FitResult Fit { get; init; }
}
