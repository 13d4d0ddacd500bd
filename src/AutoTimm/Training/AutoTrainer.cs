using Microsoft.Extensions.Logging;
using System.Diagnostics;
using System.Globalization;
using AutoTimm.Models;
using AutoTimm.Training.Loggers;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoTimm.Training;

/// <summary>
/// Trains a model of any task through its <see cref="ITrainingObjective"/>: seeded, with callbacks, loggers, learning-rate schedules, gradient
/// clipping, best/last checkpoints written atomically, resume, and a stop with the last good checkpoint kept when the
/// loss diverges.
/// </summary>
public sealed class AutoTrainer
{
    /// <summary>Creates a trainer from options.</summary>
    public AutoTrainer(TrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxEpochs, 1);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.LearningRate);
        if (options.Resume && options.CheckpointDir is null)
            throw new ArgumentException("resume needs a checkpoint directory", nameof(options));
        Options = options;
    }

    /// <summary>Creates a trainer the way AutoTimm's Python API does.</summary>
    /// <param name="maxEpochs">Epochs to train.</param>
    /// <param name="callbacks">Callbacks, called in order.</param>
    /// <param name="logger">Logger name(s): <c>tensorboard</c>, <c>csv</c>, <c>none</c>, comma-joined.</param>
    /// <param name="logDir">Directory for logs (and checkpoints).</param>
    public AutoTrainer(int maxEpochs, IReadOnlyList<ITrainerCallback>? callbacks = null, string logger = "none", string logDir = "runs")
        : this(new TrainerOptions
        {
            MaxEpochs = maxEpochs,
            Callbacks = callbacks ?? [],
            Logger = TrainingLoggers.Create(logger, logDir),
            CheckpointDir = Path.Combine(logDir, "checkpoints"),
        })
    {
    }

    /// <summary>The trainer's settings.</summary>
    public TrainerOptions Options { get; }

    /// <summary>Name of the last checkpoint file in the checkpoint directory.</summary>
    public const string LastCheckpointName = "last.safetensors";

    /// <summary>Name of the best checkpoint file in the checkpoint directory.</summary>
    public const string BestCheckpointName = "best.safetensors";

    private const string OptimizerStateName = "last.optimizer.bin";

    /// <summary>Trains <paramref name="model"/> on <paramref name="train"/>, validating on <paramref name="validation"/> after each epoch.</summary>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite.</exception>
    public FitResult Fit(VisionModel model, IBatchSource train, IBatchSource? validation = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(train);
        var clock = Stopwatch.StartNew();
        var o = Options;
        var objective = o.Objective ?? new ClassificationObjective(o.LabelSmoothing);
        var logger = o.Logger ?? new NullLogger();
        var dir = o.CheckpointDir;
        if (dir is not null) Directory.CreateDirectory(dir);

        using var optimizer = CreateOptimizer(model);
        var state = new TrainerState { Seed = o.Seed };
        if (o.Resume && dir is not null && TrainerState.TryLoad(dir) is { } saved)
        {
            state = saved;
            ModelCheckpoint.LoadInto(model, Path.Combine(dir, LastCheckpointName));
            var optimizerPath = Path.Combine(dir, OptimizerStateName);
            if (File.Exists(optimizerPath)) ((TorchSharp.Modules.OptimizerHelper)optimizer).load_state_dict(optimizerPath);
        }

        var context = new TrainerContext(model, optimizer, logger, o.MaxEpochs) { Epoch = state.NextEpoch, GlobalStep = state.GlobalStep };
        int stepsPerEpoch = Math.Max(1, train.BatchesPerEpoch);
        long totalSteps = (long)stepsPerEpoch * o.MaxEpochs;
        var history = new List<EpochRecord>(state.History);
        double? best = state.BestMetric;
        string? lastGood = dir is not null && File.Exists(Path.Combine(dir, LastCheckpointName)) ? Path.Combine(dir, LastCheckpointName) : null;
        string? stopReason = null;

        foreach (var callback in o.Callbacks) callback.OnTrainStart(context);
        {
            for (int epoch = state.NextEpoch; epoch < o.MaxEpochs; epoch++)
            {
                context.Epoch = epoch;
                // Seeded per epoch so a resumed run draws exactly what an uninterrupted one would.
                torch.manual_seed(o.Seed + 7919L * epoch);
                model.train();
                foreach (var callback in o.Callbacks) callback.OnEpochStart(context);
                var stage = $"epoch {epoch + 1}/{o.MaxEpochs}";
                int batchesDone = 0;
                var epochClock = Stopwatch.StartNew();
                double lossSum = 0;
                long correct = 0, seen = 0;
                double lr = o.LearningRate;

                foreach (var batch in train.Batches(epoch))
                {
                    using (batch)
                    using (var scope = NewDisposeScope())
                    {
                        lr = o.Schedule.RateAt(o.LearningRate, context.GlobalStep, totalSteps, stepsPerEpoch);
                        foreach (var group in optimizer.ParamGroups) group.LearningRate = lr;
                        foreach (var callback in o.Callbacks) callback.OnBatchStart(context, batch);

                        var (logits, lossValue) = NativeCallGuard.Run(() =>
                        {
                            optimizer.zero_grad();
                            var output = model.call(batch.Images);
                            var loss = objective.Loss(output, batch.Targets);
                            double value = loss.item<float>();
                            if (double.IsFinite(value))
                            {
                                loss.backward();
                                if (o.GradientClipNorm is { } clip) nn.utils.clip_grad_norm_(model.parameters(), clip);
                                optimizer.step();
                            }
                            return (output, value);
                        });
                        if (!double.IsFinite(lossValue))
                        {
                            throw new TrainingDivergedException(
                                $"loss became {lossValue} at epoch {epoch + 1}, step {context.GlobalStep}; "
                                + (lastGood is null ? "no checkpoint was written yet" : $"the last good checkpoint is {lastGood}")
                                + ". Lower the learning rate or enable gradient clipping.", lastGood);
                        }

                        lossSum += lossValue * batch.Count;
                        if (objective.TrainMetricName is not null) correct += objective.Correct(logits, batch.Targets);
                        seen += batch.Count;
                        context.GlobalStep++;
                        if (o.LogEveryNSteps > 0 && context.GlobalStep % o.LogEveryNSteps == 0)
                        {
                            logger.LogScalar("train/loss_step", lossValue, context.GlobalStep);
                            logger.LogScalar("train/lr", lr, context.GlobalStep);
                        }
                        foreach (var callback in o.Callbacks) callback.OnBatchEnd(context, batch, lossValue);
                        o.Progress?.Report(new WorkProgress(stage, Math.Min(++batchesDone, stepsPerEpoch - 1), stepsPerEpoch)
                        {
                            Detail = $"loss {lossSum / seen:F4}, {seen / epochClock.Elapsed.TotalSeconds:F0} img/s",
                        });
                    }
                }
                if (seen == 0) throw new InvalidOperationException($"epoch {epoch + 1} produced no training batches");

                var metrics = context.Metrics;
                metrics["train_loss"] = lossSum / seen;
                if (objective.TrainMetricName is { } trainMetric) metrics[trainMetric] = (double)correct / seen;
                metrics["lr"] = lr;
                metrics["images_per_second"] = seen / epochClock.Elapsed.TotalSeconds;
                if (validation is not null)
                {
                    foreach (var (name, value) in objective.Validate(model, validation, o.Progress, $"validation {epoch + 1}/{o.MaxEpochs}"))
                        metrics[name] = value;
                    foreach (var callback in o.Callbacks) callback.OnValidationEnd(context);
                }
                metrics["epoch_seconds"] = epochClock.Elapsed.TotalSeconds;
                foreach (var (name, value) in metrics) logger.LogScalar($"epoch/{name}", value, epoch + 1);

                bool improved = false;
                if (metrics.TryGetValue(o.MonitorMetric, out var monitored))
                {
                    improved = best is null || (o.MonitorMaximize ? monitored > best : monitored < best);
                    if (improved) best = monitored;
                }
                var record = new EpochRecord(epoch, new Dictionary<string, double>(metrics));
                history.Add(record);
                if (dir is not null)
                {
                    lastGood = SaveCheckpoints(model, optimizer, dir, improved || best is null, record);
                    state = state with { NextEpoch = epoch + 1, GlobalStep = context.GlobalStep, BestMetric = best, History = [.. history] };
                    state.Save(dir);
                }
                logger.Flush();
                var summary = Summary(metrics);
                o.Progress?.Report(new WorkProgress(stage, stepsPerEpoch, stepsPerEpoch) { Detail = summary });
                o.Log?.LogInformation("{Stage}: {Summary}", stage, summary);
                foreach (var callback in o.Callbacks) callback.OnEpochEnd(context);
                if (context.StopRequested)
                {
                    stopReason = context.StopReason ?? "stopped by a callback";
                    break;
                }
            }
        }
        foreach (var callback in o.Callbacks) callback.OnTrainEnd(context);
        logger.Flush();
        return new FitResult
        {
            History = history,
            BestMetric = best,
            BestCheckpoint = dir is null ? null : Path.Combine(dir, BestCheckpointName),
            LastCheckpoint = lastGood,
            StopReason = stopReason,
            Elapsed = clock.Elapsed,
        };
    }

    private optim.Optimizer CreateOptimizer(VisionModel model) => Options.Optimizer switch
    {
        OptimizerKind.AdamW => optim.AdamW(model.parameters(), Options.LearningRate, weight_decay: Options.WeightDecay),
        OptimizerKind.Sgd => optim.SGD(model.parameters(), Options.LearningRate, momentum: Options.Momentum, weight_decay: Options.WeightDecay),
        _ => throw new ArgumentOutOfRangeException(nameof(Options), Options.Optimizer, "unknown optimizer"),
    };

    /// <summary>Writes last (and best) weights and the optimizer state; each file is replaced atomically.</summary>
    private static string SaveCheckpoints(VisionModel model, optim.Optimizer optimizer, string dir, bool isBest, EpochRecord record)
    {
        var metadata = new Dictionary<string, string>
        {
            ["epoch"] = (record.Epoch + 1).ToString(CultureInfo.InvariantCulture),
            ["metrics"] = System.Text.Json.JsonSerializer.Serialize(record.Metrics),
        };
        var last = Path.Combine(dir, LastCheckpointName);
        ModelCheckpoint.Save(model, last, metadata);
        AtomicFile.Write(Path.Combine(dir, OptimizerStateName), stream =>
        {
            using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            ((TorchSharp.Modules.OptimizerHelper)optimizer).save_state_dict(writer);
        });
        if (isBest) ModelCheckpoint.Save(model, Path.Combine(dir, BestCheckpointName), metadata);
        return last;
    }

    private static string Summary(IReadOnlyDictionary<string, double> m)
    {
        var parts = new List<string> { $"loss {m["train_loss"]:F4}" };
        if (m.TryGetValue("train_acc", out var ta)) parts.Add($"acc {ta:P2}");
        foreach (var (name, value) in m.Where(kv => kv.Key.StartsWith("val_", StringComparison.Ordinal)))
            parts.Add(name == "val_loss" ? $"{name} {value:F4}" : $"{name} {value:P2}");
        parts.Add($"{m["images_per_second"]:F0} img/s");
        parts.Add($"{m["epoch_seconds"]:F1} s");
        return string.Join(", ", parts);
    }
}
