namespace AutoTimm.Training;

/// <summary>
/// Everything a classifier training run needs: architecture, data, optimisation, where outputs go. The defaults
/// train the bundled canvas models (see <c>assets/models/README.md</c>).
/// </summary>
public sealed record TrainingRun
{
    /// <summary>Architecture name from the model zoo.</summary>
    public string Arch { get; init; } = "resnet10_tiny";

    /// <summary><c>canvas</c> (cluttered Fashion-MNIST canvases) or a path to an ImageFolder (class per subfolder).</summary>
    public string Data { get; init; } = "canvas";

    /// <summary>Folder with the Fashion-MNIST IDX files (default: AUTOTIMM_DATA_DIR, then the Debian package's folder).</summary>
    public string? DataDir { get; init; }

    /// <summary>Canvas side in pixels.</summary>
    public int CanvasSize { get; init; } = 64;

    /// <summary>Training canvases per epoch (from the first items of the Fashion-MNIST train split); all when null.</summary>
    public int? TrainSize { get; init; }

    /// <summary>
    /// Draw new training canvases of the same items every epoch (placement, color and clutter redrawn); otherwise
    /// every epoch shows the same canvases. Validation and test canvases never change.
    /// </summary>
    public bool FreshCanvasesEachEpoch { get; init; } = true;

    /// <summary>Validation canvases, drawn from the last 5,000 train-split items (never from the test split).</summary>
    public int ValSize { get; init; } = 5000;

    /// <summary>Epochs.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Batch size.</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>Peak learning rate.</summary>
    public double LearningRate { get; init; } = 2e-3;

    /// <summary>Weight decay.</summary>
    public double WeightDecay { get; init; } = 0.05;

    /// <summary>Optimizer.</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.AdamW;

    /// <summary>Warm-up steps of the cosine schedule; null: a tenth of all steps, at most 200.</summary>
    public int? WarmupSteps { get; init; }

    /// <summary>Label smoothing.</summary>
    public double LabelSmoothing { get; init; } = 0.1;

    /// <summary>Gradient-norm clipping.</summary>
    public double? GradientClipNorm { get; init; } = 5.0;

    /// <summary>Seed of initialisation, data order, canvases and augmentation.</summary>
    public long Seed { get; init; } = 42;

    /// <summary>Output folder: checkpoints, logs, <c>model.safetensors</c>, <c>provenance.json</c>.</summary>
    public string OutputDir { get; init; } = "runs/train";

    /// <summary>Logger names (<c>tensorboard</c>, <c>csv</c>, <c>none</c>, comma-joined).</summary>
    public string Logger { get; init; } = "tensorboard,csv";

    /// <summary>Continue from the trainer state in the output folder.</summary>
    public bool Resume { get; init; }

    /// <summary>A checkpoint of the same architecture whose weights start the run (fine-tuning), or null for a fresh initialisation.</summary>
    public string? InitFrom { get; init; }

    /// <summary>libtorch intra-op threads; null leaves libtorch's choice.</summary>
    public int? Threads { get; init; }

    /// <summary>
    /// Threads that read samples (decode images, draw canvases) ahead of the model: one is a single background thread
    /// that already overlaps with compute; an ImageFolder of large JPEGs wants more. The batches are the same for any
    /// count.
    /// </summary>
    public int Workers { get; init; } = 1;

    /// <summary>Receives training and evaluation progress; silent when null.</summary>
    public IProgress<WorkProgress>? Progress { get; init; }

    /// <summary>Receives epoch summaries and warnings (skipped images); silent when null.</summary>
    public Microsoft.Extensions.Logging.ILogger? Log { get; init; }

    /// <summary>The command line that started the run, recorded in the provenance.</summary>
    public string? CommandLine { get; init; }

    /// <summary>
    /// The trainer settings every task shares for this run: optimizer, cosine schedule with warm-up (default: a tenth
    /// of the steps, at most 200), clipping, seed, checkpoints and resume under the output folder, logging and progress.
    /// </summary>
    /// <summary>
    /// Callbacks for the fit, made from its validation batches (where explanation samples come from); null for none.
    /// </summary>
    public Func<IBatchSource, IReadOnlyList<ITrainerCallback>>? Callbacks { get; init; }

    internal TrainerOptions TrainerOptions(int batchesPerEpoch, ITrainingLogger logger, IBatchSource validation) => new()
    {
        Callbacks = Callbacks?.Invoke(validation) ?? [],
        MaxEpochs = Epochs,
        Optimizer = Optimizer,
        LearningRate = LearningRate,
        WeightDecay = WeightDecay,
        Schedule = new LearningRateSchedule
        {
            Kind = ScheduleKind.Cosine,
            WarmupSteps = WarmupSteps ?? Math.Min(200, batchesPerEpoch * Epochs / 10),
            MinLearningRate = LearningRate / 100,
        },
        GradientClipNorm = GradientClipNorm,
        LabelSmoothing = LabelSmoothing,
        Seed = Seed,
        CheckpointDir = Path.Combine(OutputDir, "checkpoints"),
        Resume = Resume,
        Logger = logger,
        Progress = Progress,
        Log = Log,
    };

    /// <summary>Largest libtorch thread count accepted (libtorch aborts the process on 0 or a negative count).</summary>
    public const int MaxThreads = 1024;

    /// <summary>Largest epoch count accepted.</summary>
    public const int MaxEpochs = 100_000;

    /// <summary>Largest batch size accepted.</summary>
    public const int MaxBatchSize = 65_536;

    /// <summary>Largest number of sample-reading threads accepted.</summary>
    public const int MaxWorkers = 256;

    /// <summary>
    /// Checks every value before any of it reaches libtorch or a data generator: libtorch aborts the whole process on
    /// invalid arguments (a thread count of 0, a negative size) instead of throwing.
    /// </summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names the option, the value and the range.</exception>
    public void Validate()
    {
        static void Range(string name, long value, long min, long max)
        {
            if (value < min || value > max) throw new ArgumentException($"{name} is {value}; it must lie in {min}..{max}");
        }
        static void Finite(string name, double value, double min, double max)
        {
            if (!(value >= min && value <= max)) throw new ArgumentException($"{name} is {value}; it must be a finite number in {min}..{max}");
        }
        ArgumentException.ThrowIfNullOrWhiteSpace(Arch, nameof(Arch));
        ArgumentException.ThrowIfNullOrWhiteSpace(Data, nameof(Data));
        ArgumentException.ThrowIfNullOrWhiteSpace(OutputDir, nameof(OutputDir));
        Range("--canvas-size", CanvasSize, 8, 4096);
        if (TrainSize is { } train) Range("--train-size", train, 1, 10_000_000);
        Range("--val-size", ValSize, 0, 10_000_000);
        Range("--epochs", Epochs, 1, MaxEpochs);
        Range("--batch-size", BatchSize, 1, MaxBatchSize);
        Finite("--lr", LearningRate, double.Epsilon, 10);
        Finite("--weight-decay", WeightDecay, 0, 10);
        if (WarmupSteps is { } warmup) Range("warm-up steps", warmup, 0, int.MaxValue);
        Finite("label smoothing", LabelSmoothing, 0, 1);
        if (GradientClipNorm is { } clip) Finite("gradient clip norm", clip, double.Epsilon, double.MaxValue);
        if (Threads is { } threads) Range("--threads", threads, 1, MaxThreads);
        Range("--workers", Workers, 1, MaxWorkers);
        if (!Enum.IsDefined(Optimizer)) throw new ArgumentException($"unknown optimizer {Optimizer}");
    }
}
