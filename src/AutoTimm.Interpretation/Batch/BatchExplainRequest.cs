using AutoTimm.Diagnostics;
using AutoTimm.Interpretation.Engine;
using AutoTimm.Models;

namespace AutoTimm.Interpretation.Batch;

/// <summary>What <c>autotimm explain-batch</c> asks for: many files explained by several methods into a folder.</summary>
public sealed record BatchExplainRequest
{
    /// <summary>Largest batch accepted: a batch's inputs and activations are held at once.</summary>
    public const int MaxBatchSize = 1024;

    /// <summary>Most decode workers accepted.</summary>
    public const int MaxWorkers = 64;

    /// <summary>The model.</summary>
    public required VisionModel Model { get; init; }

    /// <summary>The inputs (<see cref="BatchInputs"/>); the run takes those of <see cref="Shard"/>.</summary>
    public required IReadOnlyList<BatchInput> Inputs { get; init; }

    /// <summary>Folder for the outputs and the manifest (created if missing).</summary>
    public required string OutputDir { get; init; }

    /// <summary>Method ids or aliases; Grad-CAM when null.</summary>
    public IReadOnlyList<string>? Methods { get; init; }

    /// <summary>Method parameters.</summary>
    public ExplanationOptions Options { get; init; } = ExplanationOptions.Default;

    /// <summary>Images per forward/backward.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>The part of the inputs this process explains.</summary>
    public InputShard Shard { get; init; } = InputShard.All;

    /// <summary>Threads decoding and preprocessing ahead of the model (the same number write behind it).</summary>
    public int Workers { get; init; } = 1;

    /// <summary>Colormap of the overlays.</summary>
    public string Colormap { get; init; } = "viridis";

    /// <summary>Heatmap opacity in the overlays.</summary>
    public double Alpha { get; init; } = 0.4;

    /// <summary>Also write each raw map (and attributions) as <c>.npy</c>.</summary>
    public bool SaveRaw { get; init; } = true;

    /// <summary>Receives a report per input finished (stage <c>explain-batch</c>, with images/s); silent when null.</summary>
    public IProgress<WorkProgress>? Progress { get; init; }

    /// <summary>Times every stage (decode, preprocess, forward, backward, postprocess, render, write); a new one when null.</summary>
    public PerformanceProfiler? Profiler { get; init; }

    /// <summary>Where results are kept for identical later requests; <see cref="ExplanationCache.Global"/> when null.</summary>
    public ExplanationCache? Cache { get; init; }

    /// <summary>Stops the run between batches; what was finished stays in the manifest.</summary>
    public CancellationToken Cancellation { get; init; }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the field, its value and the allowed range.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Model, nameof(Model));
        ArgumentNullException.ThrowIfNull(Inputs, nameof(Inputs));
        ArgumentException.ThrowIfNullOrWhiteSpace(OutputDir, nameof(OutputDir));
        ArgumentNullException.ThrowIfNull(Shard, nameof(Shard));
        if (BatchSize is < 1 or > MaxBatchSize) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, $"batch size must be in 1..{MaxBatchSize}");
        if (Workers is < 1 or > MaxWorkers) throw new ArgumentOutOfRangeException(nameof(Workers), Workers, $"workers must be in 1..{MaxWorkers}");
        if (!(Alpha >= 0 && Alpha <= 1)) throw new ArgumentOutOfRangeException(nameof(Alpha), Alpha, "alpha must be in [0, 1]");
        if (Methods is { Count: 0 }) throw new ArgumentException("no methods given", nameof(Methods));
        foreach (var method in Methods ?? []) MethodRegistry.Get(method);
    }
}

/// <summary>What <see cref="BatchExplainer.Run"/> did.</summary>
public sealed record BatchExplainSummary
{
    /// <summary>Inputs in this shard.</summary>
    public required int Inputs { get; init; }

    /// <summary>Inputs an earlier run had finished, skipped.</summary>
    public required int AlreadyDone { get; init; }

    /// <summary>Inputs explained now with every method.</summary>
    public required int Explained { get; init; }

    /// <summary>Inputs explained now with some methods only.</summary>
    public required int Partial { get; init; }

    /// <summary>Inputs that failed now (unreadable, or every method failed), by key with the reason.</summary>
    public required IReadOnlyDictionary<string, string> Failed { get; init; }

    /// <summary>The manifest file.</summary>
    public required string Manifest { get; init; }

    /// <summary>Wall time of the run.</summary>
    public required double ElapsedSeconds { get; init; }

    /// <summary>Inputs finished per second of wall time (explained, partial or failed).</summary>
    public double ImagesPerSecond => ElapsedSeconds > 0 ? (Explained + Partial + Failed.Count) / ElapsedSeconds : 0;

    /// <summary>Per-stage timings.</summary>
    public required IReadOnlyDictionary<string, StageTimings> Stages { get; init; }

    /// <summary>Whether the run was stopped before the end.</summary>
    public bool Cancelled { get; init; }
}
