using Microsoft.Extensions.Logging;
using System.Diagnostics;
using AutoTimm.Native;
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

    /// <summary>The file naming the committed checkpoint generation (<c>epoch-00012</c>) in the checkpoint directory.</summary>
    public const string CurrentGenerationName = "CURRENT";

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

        // Training mode before the optimizer exists: its state is made like the parameters, and in eval mode a
        // channels-last model's convolution weights are not contiguous, which TorchSharp cannot save state from.
        model.train();
        using var optimizer = CreateOptimizer(model);
        var state = new TrainerState { Seed = o.Seed, Arch = model.Config.Arch, LearningRate = o.LearningRate, Optimizer = o.Optimizer.ToString() };
        if (o.Resume && dir is not null && ResumeFrom(dir, model) is { } resumed)
        {
            state = resumed.State;
            ModelCheckpoint.LoadInto(model, resumed.Weights);
            ((TorchSharp.Modules.OptimizerHelper)optimizer).load_state_dict(resumed.Optimizer);
        }

        var context = new TrainerContext(model, optimizer, logger, o.MaxEpochs) { Epoch = state.NextEpoch, GlobalStep = state.GlobalStep, Validation = validation };
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
                                model.MarkWeightsChanged();
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
                    state = state with { NextEpoch = epoch + 1, GlobalStep = context.GlobalStep, BestMetric = best, History = [.. history] };
                    lastGood = SaveCheckpoints(model, optimizer, state, dir, improved || best is null, record);
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

    /// <summary>
    /// Commits an epoch's checkpoint set as one unit: weights, optimizer state and trainer state are written into a
    /// staging folder, which is renamed to its generation (<c>epoch-00012</c>); then <see cref="CurrentGenerationName"/>
    /// is replaced atomically to point at it. A kill at any moment leaves the previous generation committed and whole.
    /// Afterwards <c>last.safetensors</c> (and <c>best.safetensors</c>) beside it are refreshed for users, and older
    /// generations are removed.
    /// </summary>
    private string SaveCheckpoints(VisionModel model, optim.Optimizer optimizer, TrainerState state, string dir, bool isBest, EpochRecord record)
    {
        var metadata = new Dictionary<string, string>
        {
            ["epoch"] = (record.Epoch + 1).ToString(CultureInfo.InvariantCulture),
            ["metrics"] = System.Text.Json.JsonSerializer.Serialize(record.Metrics),
        };
        var generation = string.Create(CultureInfo.InvariantCulture, $"epoch-{record.Epoch + 1:D5}");
        var staging = Path.Combine(dir, generation + ".partial");
        var committed = Path.Combine(dir, generation);
        if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        try
        {
            Directory.CreateDirectory(staging);
            ModelCheckpoint.Save(model, Path.Combine(staging, LastCheckpointName), metadata);
            AtomicFile.Write(Path.Combine(staging, OptimizerStateName), stream =>
            {
                using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
                ((TorchSharp.Modules.OptimizerHelper)optimizer).save_state_dict(writer);
            });
            state.Save(staging);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A half-written generation would only hold space; the previous one stays committed.
            try
            {
                Directory.Delete(staging, recursive: true);
            }
            catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
            {
                // Resume ignores and replaces staging folders.
            }
            var previous = File.Exists(Path.Combine(dir, CurrentGenerationName)) ? File.ReadAllText(Path.Combine(dir, CurrentGenerationName)).Trim() : null;
            throw new IOException(
                $"cannot save the checkpoint of epoch {record.Epoch + 1} in {dir}: {e.Message}. " +
                (previous is null
                    ? "No earlier epoch was saved."
                    : $"The checkpoint of the last saved epoch ({previous}) is whole; free space and run the same command with --resume to continue from it."), e);
        }
        if (Directory.Exists(committed)) Directory.Delete(committed, recursive: true);
        Directory.Move(staging, committed);
        AtomicFile.WriteAllText(Path.Combine(dir, CurrentGenerationName), generation);

        var last = Path.Combine(dir, LastCheckpointName);
        AtomicFile.Write(last, stream => { using var source = File.OpenRead(Path.Combine(committed, LastCheckpointName)); source.CopyTo(stream); });
        if (isBest) AtomicFile.Write(Path.Combine(dir, BestCheckpointName), stream => { using var source = File.OpenRead(last); source.CopyTo(stream); });
        foreach (var old in Directory.EnumerateDirectories(dir, "epoch-*").Where(d => Path.GetFileName(d) != generation))
            Directory.Delete(old, recursive: true);
        return last;
    }

    /// <summary>
    /// The committed generation to resume from, after checking it: the weights and the trainer state are of the same
    /// epoch, and the run's seed, architecture, learning rate and optimizer are the ones it was started with. A
    /// checkpoint folder written before generations (loose files) is refused when its files disagree.
    /// </summary>
    private (TrainerState State, string Weights, string Optimizer)? ResumeFrom(string dir, VisionModel model)
    {
        var pointer = Path.Combine(dir, CurrentGenerationName);
        string folder;
        if (File.Exists(pointer))
        {
            var generation = File.ReadAllText(pointer).Trim();
            folder = Path.Combine(dir, generation);
            if (generation.Length == 0 || generation.Contains('/') || !Directory.Exists(folder))
                throw new InvalidDataException($"{pointer} names checkpoint generation '{generation}', which is not in {dir}; the checkpoint folder is damaged");
        }
        else if (File.Exists(Path.Combine(dir, TrainerState.FileName))) folder = dir;
        else return null;

        var state = TrainerState.Load(Path.Combine(folder, TrainerState.FileName));
        var weights = Path.Combine(folder, LastCheckpointName);
        var optimizerState = Path.Combine(folder, OptimizerStateName);
        foreach (var file in new[] { weights, optimizerState })
            if (!File.Exists(file)) throw new InvalidDataException($"cannot resume: {file} is missing from the checkpoint set in {folder}");
        var epochText = AutoTimm.Models.Checkpoints.SafetensorsFile.ReadMetadata(weights).GetValueOrDefault("epoch");
        if (!int.TryParse(epochText, NumberStyles.None, CultureInfo.InvariantCulture, out var weightsEpoch) || weightsEpoch != state.NextEpoch)
            throw new InvalidDataException(
                $"cannot resume: {weights} holds the weights after epoch {epochText ?? "?"} but {Path.Combine(folder, TrainerState.FileName)} continues at epoch {state.NextEpoch + 1}; the run was interrupted while saving. Start again in a new --output-dir.");
        var o = Options;
        void Same<T>(string flag, T? saved, T current)
        {
            if (saved is not null && !EqualityComparer<T>.Default.Equals(saved, current))
                throw new ArgumentException($"cannot resume with {flag} {current}: the run in {dir} was started with {flag} {saved}; resume with the same value or start a new --output-dir");
        }
        Same("--seed", (long?)state.Seed, o.Seed);
        Same("--arch", state.Arch, model.Config.Arch);
        Same("--lr", state.LearningRate, o.LearningRate);
        Same("--optimizer", state.Optimizer, o.Optimizer.ToString());
        return (state, weights, optimizerState);
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
