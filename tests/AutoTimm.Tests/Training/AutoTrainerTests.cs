using AutoTimm.Models;
using AutoTimm.Native;
using AutoTimm.Training;
using AutoTimm.Training.Loggers;
using static TorchSharp.torch;

namespace AutoTimm.Tests.Training;

public sealed class AutoTrainerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("autotimm-train-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static ImageClassifier TinyModel(long seed)
    {
        manual_seed(seed);
        return ModelZoo.Create("resnet10_tiny", 4);
    }

    private TrainerOptions Options(int epochs, string sub, bool resume = false, ITrainingLogger? logger = null) => new()
    {
        MaxEpochs = epochs,
        LearningRate = 3e-3,
        WeightDecay = 0,
        Seed = 7,
        CheckpointDir = Path.Combine(_dir, sub),
        Resume = resume,
        Logger = logger,
        LogEveryNSteps = 2,
    };

    [Fact]
    public void Should_learn_a_toy_task_and_write_tensorboard_and_csv_logs()
    {
        using var model = TinyModel(1);
        var logDir = Path.Combine(_dir, "logs");
        using var logger = TrainingLoggers.Create("tensorboard,csv", logDir);
        var result = new AutoTrainer(Options(3, "a", logger: logger)).Fit(model, new QuadrantBatches(12, 16, 1), new QuadrantBatches(4, 32, 99));

        Assert.Equal(3, result.History.Count);
        Assert.True(result.History[^1].Metrics["val_acc"] >= 0.9, $"val_acc {result.History[^1].Metrics["val_acc"]}");
        Assert.True(result.History[^1].Metrics["train_loss"] < result.History[0].Metrics["train_loss"]);
        var csv = File.ReadAllLines(Path.Combine(logDir, "metrics.csv"));
        Assert.Equal("step,tag,value", csv[0]);
        Assert.Contains(csv, l => l.StartsWith("3,epoch/val_acc,", StringComparison.Ordinal));
        Assert.Equal(18, csv.Count(l => l.Contains(",train/loss_step,", StringComparison.Ordinal)));
        var events = Directory.GetFiles(Path.Combine(logDir, "tensorboard"), "events.out.tfevents.*");
        Assert.Single(events);
        Assert.True(new FileInfo(events[0]).Length > 200);
    }

    [Fact]
    public void Should_write_a_checkpoint_that_reloads_to_identical_predictions()
    {
        using var model = TinyModel(2);
        var result = new AutoTrainer(Options(1, "b")).Fit(model, new QuadrantBatches(6, 16, 2));
        Assert.NotNull(result.LastCheckpoint);
        using var reloaded = TinyModel(3);
        ModelCheckpoint.LoadInto(reloaded, result.LastCheckpoint!);
        model.eval();
        reloaded.eval();
        using var x = rand(5, 3, 16, 16);
        using var a = model.call(x);
        using var b = reloaded.call(x);
        Assert.Equal(0f, (a - b).abs().max().item<float>());
    }

    [Fact]
    public void Should_fine_tune_a_model_handed_over_in_eval_mode_and_save_its_optimizer_state()
    {
        // As ModelCheckpoint.Load returns it: in eval mode, its convolution weights laid out channels-last. AdamW makes
        // its state when it is created, like the parameters; TorchSharp saves state only from contiguous tensors.
        using var model = TinyModel(5);
        model.eval();
        var result = new AutoTrainer(Options(1, "from-eval")).Fit(model, new QuadrantBatches(3, 8, 2));
        Assert.NotNull(result.LastCheckpoint);
        Assert.True(File.Exists(Path.Combine(_dir, "from-eval", "epoch-00001", "last.optimizer.bin")));
    }

    [Theory]
    [InlineData(OptimizerKind.AdamW)]
    [InlineData(OptimizerKind.Sgd)]
    public void Should_resume_to_the_same_weights_as_an_uninterrupted_run(OptimizerKind optimizer)
    {
        using var straight = TinyModel(4);
        new AutoTrainer(Options(2, "straight") with { Optimizer = optimizer }).Fit(straight, new QuadrantBatches(5, 8, 3));

        using var first = TinyModel(4);
        new AutoTrainer(Options(2, "resumed") with { Optimizer = optimizer, Callbacks = [new StopAfterFirstEpoch()] }).Fit(first, new QuadrantBatches(5, 8, 3));
        using var second = TinyModel(99);
        var resumed = new AutoTrainer(Options(2, "resumed", resume: true) with { Optimizer = optimizer }).Fit(second, new QuadrantBatches(5, 8, 3));

        Assert.Equal(2, resumed.History.Count);
        var expected = straight.state_dict();
        foreach (var (name, value) in second.state_dict())
            Assert.True(value.allclose(expected[name], rtol: 1e-5, atol: 1e-6), name);
    }

    [Fact]
    public void Should_commit_each_epochs_checkpoint_set_as_one_generation()
    {
        using var model = TinyModel(7);
        new AutoTrainer(Options(2, "gen")).Fit(model, new QuadrantBatches(3, 8, 5));
        var dir = Path.Combine(_dir, "gen");
        Assert.Equal("epoch-00002", File.ReadAllText(Path.Combine(dir, AutoTrainer.CurrentGenerationName)));
        Assert.Equal(["epoch-00002"], Directory.GetDirectories(dir).Select(Path.GetFileName));
        Assert.Equal(["last.optimizer.bin", "last.safetensors", "trainer_state.json"],
            Directory.GetFiles(Path.Combine(dir, "epoch-00002")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(File.ReadAllBytes(Path.Combine(dir, "epoch-00002", "last.safetensors")), File.ReadAllBytes(Path.Combine(dir, "last.safetensors")));
        Assert.True(File.Exists(Path.Combine(dir, "best.safetensors")));
    }

    [Fact]
    public void Should_resume_from_the_committed_generation_when_a_save_was_killed_half_way()
    {
        using (var first = TinyModel(8))
            new AutoTrainer(Options(3, "killed") with { Callbacks = [new StopAfterFirstEpoch()] }).Fit(first, new QuadrantBatches(3, 8, 6));
        var dir = Path.Combine(_dir, "killed");
        // A kill while epoch 2 was being saved: its staging folder is half-written, the pointer still names epoch 1.
        var staging = Directory.CreateDirectory(Path.Combine(dir, "epoch-00002.partial")).FullName;
        File.WriteAllText(Path.Combine(staging, "last.safetensors"), "truncated");
        using var second = TinyModel(9);
        var resumed = new AutoTrainer(Options(3, "killed", resume: true)).Fit(second, new QuadrantBatches(3, 8, 6));
        Assert.Equal([0, 1, 2], resumed.History.Select(r => r.Epoch));
        Assert.False(Directory.Exists(staging));
    }

    [Fact]
    public void Should_refuse_to_resume_a_loose_checkpoint_set_whose_files_disagree_and_a_changed_seed()
    {
        using (var first = TinyModel(10))
            new AutoTrainer(Options(2, "mixed")).Fit(first, new QuadrantBatches(3, 8, 7));
        var dir = Path.Combine(_dir, "mixed");
        // The layout before generations, killed between the weights and the trainer state: weights of epoch 2, state of epoch 1.
        var generation = Path.Combine(dir, "epoch-00002");
        foreach (var file in Directory.GetFiles(generation)) File.Copy(file, Path.Combine(dir, Path.GetFileName(file)), overwrite: true);
        var statePath = Path.Combine(dir, "trainer_state.json");
        File.WriteAllText(statePath, File.ReadAllText(statePath).Replace("\"next_epoch\": 2", "\"next_epoch\": 1", StringComparison.Ordinal));
        File.Delete(Path.Combine(dir, AutoTrainer.CurrentGenerationName));
        using var model = TinyModel(11);
        var error = Assert.Throws<InvalidDataException>(() => new AutoTrainer(Options(3, "mixed", resume: true)).Fit(model, new QuadrantBatches(3, 8, 7)));
        Assert.Contains("holds the weights after epoch 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("continues at epoch 2", error.Message, StringComparison.Ordinal);

        using (var again = TinyModel(12))
            new AutoTrainer(Options(1, "seeded")).Fit(again, new QuadrantBatches(3, 8, 7));
        var changed = Assert.Throws<ArgumentException>(() => new AutoTrainer(Options(2, "seeded", resume: true) with { Seed = 8 }).Fit(model, new QuadrantBatches(3, 8, 7)));
        Assert.Equal($"cannot resume with --seed 8: the run in {Path.Combine(_dir, "seeded")} was started with --seed 7; resume with the same value or start a new --output-dir", changed.Message);
    }

    [Fact]
    public void Should_stop_on_a_nan_loss_and_keep_the_last_good_checkpoint()
    {
        using var model = TinyModel(5);
        var trainer = new AutoTrainer(Options(3, "nan"));
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Fit(model, new QuadrantBatches(4, 8, 4, poisonEpoch: 1)));
        Assert.Contains("epoch 2", e.Message);
        Assert.NotNull(e.LastGoodCheckpoint);
        using var reloaded = TinyModel(6);
        ModelCheckpoint.LoadInto(reloaded, e.LastGoodCheckpoint!);
        foreach (var (_, p) in reloaded.named_parameters())
            Assert.True(p.isfinite().all().item<bool>());
    }

    [Fact]
    public void Should_stop_early_when_the_monitored_metric_stalls()
    {
        using var model = TinyModel(8);
        var options = Options(10, "early") with
        {
            LearningRate = 1e-9,
            Callbacks = [new EarlyStopping("train_loss", patience: 1, minDelta: 1.0)],
        };
        var result = new AutoTrainer(options).Fit(model, new QuadrantBatches(2, 8, 5));
        Assert.Equal(3, result.History.Count);
        Assert.Contains("early stopping", result.StopReason);
    }

    [Fact]
    public void Should_follow_cosine_and_step_schedules()
    {
        var cosine = new LearningRateSchedule { Kind = ScheduleKind.Cosine, WarmupSteps = 10, MinLearningRate = 0 };
        Assert.Equal(0.1, cosine.RateAt(1.0, 0, 110, 10), 12);
        Assert.Equal(1.0, cosine.RateAt(1.0, 10, 110, 10), 12);
        Assert.Equal(0.5, cosine.RateAt(1.0, 60, 110, 10), 12);
        Assert.Equal(0.0, cosine.RateAt(1.0, 110, 110, 10), 12);
        var step = new LearningRateSchedule { Kind = ScheduleKind.Step, StepEpochs = 2, StepGamma = 0.5 };
        Assert.Equal(1.0, step.RateAt(1.0, 19, 100, 10), 12);
        Assert.Equal(0.5, step.RateAt(1.0, 20, 100, 10), 12);
        Assert.Equal(0.25, step.RateAt(1.0, 45, 100, 10), 12);
    }

    [Fact]
    public void Should_run_native_steps_and_leave_the_collector_as_it_was()
    {
        var before = System.Runtime.GCSettings.LatencyMode;
        Assert.Equal(42, NativeCallGuard.Run(() => 42));
        Assert.Equal(before, System.Runtime.GCSettings.LatencyMode);
        Assert.Throws<InvalidOperationException>(() => NativeCallGuard.Run<int>(() => throw new InvalidOperationException("boom")));
        Assert.Equal(before, System.Runtime.GCSettings.LatencyMode);
    }

    /// <summary>Interrupts a run after its first epoch, as a killed process would.</summary>
    private sealed class StopAfterFirstEpoch : ITrainerCallback
    {
        public void OnEpochEnd(TrainerContext context) => context.StopRequested = true;
    }
}
