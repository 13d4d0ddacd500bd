using AutoTimm.Interpretation.Engine;
using AutoTimm.Interpretation.Internal;
using AutoTimm.Interpretation.Targets;
using AutoTimm.Native;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Methods;

/// <summary>
/// SmoothGrad (Smilkov et al. 2017) around any explainer: the explainer's raw maps of <see cref="NumSamples"/> noisy
/// copies of each input are averaged. The noise is Gaussian with standard deviation
/// <c>NoiseLevel * (max(x) - min(x))</c> of each input, as in the paper; sample k's noise comes from a generator seeded
/// by <see cref="Seed"/> and k, so an image's map is the same alone or in any batch. Noisy copies run through the
/// step batcher: <see cref="SamplesPerBatch"/> copies of each image per forward/backward, noise drawn per chunk. With
/// every target given and a one-pass inner method (the CAMs, attention rollout and attribution), the clean images are
/// extra rows of the first chunk, for the reported prediction; otherwise they get a forward of their own first.
/// </summary>
public sealed class SmoothGrad : Explainer
{
    /// <summary>Wraps <paramref name="inner"/>.</summary>
    /// <param name="inner">Explainer whose maps are averaged.</param>
    /// <param name="noiseLevel">Noise standard deviation as a fraction of each input's value range.</param>
    /// <param name="numSamples">Noisy copies per image.</param>
    /// <param name="seed">Seed of the noise.</param>
    /// <param name="samplesPerBatch">Noisy copies of each image per inner call (the chunk is this many times the images).</param>
    public SmoothGrad(Explainer inner, double noiseLevel = 0.15, int numSamples = 50, long seed = 0, int samplesPerBatch = 16)
        : base((inner ?? throw new ArgumentNullException(nameof(inner))).Model)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(noiseLevel);
        ArgumentOutOfRangeException.ThrowIfLessThan(numSamples, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(samplesPerBatch, 1);
        Inner = inner;
        NoiseLevel = noiseLevel;
        NumSamples = numSamples;
        Seed = seed;
        SamplesPerBatch = samplesPerBatch;
    }

    /// <summary>The wrapped explainer.</summary>
    public Explainer Inner { get; }

    /// <summary>Noise standard deviation as a fraction of the input's value range.</summary>
    public double NoiseLevel { get; }

    /// <summary>Noisy copies per image.</summary>
    public int NumSamples { get; }

    /// <summary>Seed of the noise.</summary>
    public long Seed { get; }

    /// <summary>Noisy copies explained per inner call.</summary>
    public int SamplesPerBatch { get; }

    /// <inheritdoc/>
    public override string Method => "smoothgrad";

    internal override bool RecordsWholeForward => Inner.RecordsWholeForward;

    /// <inheritdoc/>
    public override RawExplanation Compute(ExplanationSession session, Tensor inputs, IReadOnlyList<IExplanationTarget?> targets)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        int n = (int)inputs.shape[0];
        ExplanationSession.RequireOneTargetPerImage(targets, n);
        // Noisy copies of an input-gradient method hold every layer's activations; a CAM's hold only the layers above
        // its target, so only the former are bounded by the memory budget.
        int RowsPerChunk(int wanted) => Inner.RecordsWholeForward ? MemoryBudget.RowsFor(Model, inputs, wanted) : wanted;
        // The clean images' output gives the reported prediction and, for a null target, the target itself. When every
        // target is given and a row costs the inner method one pass, the clean images ride in the first chunk (their
        // maps dropped): a row each instead of a forward of their own.
        bool cleanInFirstChunk = Inner.OnePassPerRow && targets.All(t => t is not null);
        int chunk = RowsPerChunk(SamplesPerBatch * n + (cleanInFirstChunk ? n : 0));
        // A memory budget too small for the clean images beside one noisy copy each leaves them a forward of their own.
        cleanInFirstChunk &= chunk > n;
        Tensor? output = null;
        IExplanationTarget[] resolved;
        if (cleanInFirstChunk)
        {
            chunk -= n;
            resolved = [.. targets.Select(t => t!)];
        }
        else
        {
            output = session.Output(inputs);
            // Targets are fixed on the clean input, so every noisy copy explains the same thing.
            resolved = session.ResolveTargets(output, targets);
        }
        var sigma = inputs.amax([1, 2, 3]).add(inputs.amin([1, 2, 3]), Scalars.Of(-1)).mul(Scalars.Of(NoiseLevel)).reshape(-1, 1, 1, 1);
        long[] imageShape = [.. inputs.shape.Skip(1)];
        RawExplanation? last = null;
        // Noise is drawn per chunk, sample k from its own seeded generator: an image's map is the same alone or in any
        // batch and for any chunking, and memory is bounded by the chunk.
        var sum = StepBatcher.SumOverSteps(n, NumSamples, chunk, rows =>
        {
            var images = tensor(rows.Images.Select(i => (long)i).ToArray(), device: inputs.device);
            // One buffer for the chunk's rows: the noise is drawn into it and scaled and shifted in place, and the clean
            // images, when they ride along, are copied in after it (no stacked, scaled, shifted and concatenated copies).
            var batch = empty([rows.Count + (output is null ? n : 0), .. imageShape], dtype: inputs.dtype, device: inputs.device);
            for (int r = 0; r < rows.Count; r++) SeededNoise.NormalInto(batch[r], SeededNoise.SampleSeed(Seed, rows.StepIndices[r]));
            batch.narrow(0, 0, rows.Count).mul_(sigma.index_select(0, images)).add_(inputs.index_select(0, images), Scalars.One);
            var rowTargets = rows.Images.Select(i => (IExplanationTarget?)resolved[i]).ToList();
            if (output is not null)
            {
                last = Inner.Compute(session, batch, rowTargets);
                return last.Maps;
            }
            batch.narrow(0, rows.Count, n).copy_(inputs);
            last = Inner.Compute(session, batch, [.. rowTargets, .. resolved]);
            output = last.Output.narrow(0, rows.Count, n).detach().clone().MoveToOuterDisposeScope();
            return last.Maps.narrow(0, 0, rows.Count);
        });
        return new RawExplanation(sum.div(Scalars.Of(NumSamples)), output!, resolved)
        {
            NativeResolution = last!.NativeResolution,
            Layer = last.Layer,
        };
    }

    /// <summary>The registry's entry: SmoothGrad around the method its options name.</summary>
    public static MethodDescriptor Descriptor { get; } = new("smoothgrad", "SmoothGrad", typeof(SmoothGradOptions),
        (model, options) =>
        {
            var o = options.Get<SmoothGradOptions>();
            if (MethodRegistry.Get(o.BaseMethod).Id == "smoothgrad")
                throw new ArgumentException("SmoothGrad cannot wrap itself; choose another base method");
            return new SmoothGrad(MethodRegistry.Create(o.BaseMethod, model, options), o.NoiseLevel, o.Samples, o.Seed, o.SamplesPerBatch);
        })
    {
        Aliases = ["smooth_grad"],
        Summary = "the base method's maps averaged over noisy copies of the input",
    };
}

/// <summary>Options of <see cref="SmoothGrad"/>.</summary>
public sealed record SmoothGradOptions : IMethodOptions
{
    /// <summary>Most noisy copies accepted.</summary>
    public const int MaxSamples = 100_000;

    /// <summary>Method whose maps are averaged (any registered method but SmoothGrad).</summary>
    public string BaseMethod { get; init; } = "gradcam";

    /// <summary>Noise standard deviation as a fraction of each input's value range, in [0, 10].</summary>
    public double NoiseLevel { get; init; } = 0.15;

    /// <summary>Noisy copies per image, 1..<see cref="MaxSamples"/>.</summary>
    public int Samples { get; init; } = 50;

    /// <summary>Noisy copies of each image per forward/backward: bounds memory.</summary>
    public int SamplesPerBatch { get; init; } = 16;

    /// <summary>Seed of the noise.</summary>
    public long Seed { get; init; }

    /// <inheritdoc/>
    public void Validate()
    {
        if (!double.IsFinite(NoiseLevel) || NoiseLevel is < 0 or > 10)
            throw new ArgumentOutOfRangeException(nameof(NoiseLevel), NoiseLevel, "SmoothGrad noise must be a number in [0, 10] (a fraction of the input's value range)");
        if (Samples is < 1 or > MaxSamples)
            throw new ArgumentOutOfRangeException(nameof(Samples), Samples, $"SmoothGrad samples must be in 1..{MaxSamples}");
        if (SamplesPerBatch < 1)
            throw new ArgumentOutOfRangeException(nameof(SamplesPerBatch), SamplesPerBatch, "samples per batch must be at least 1");
        MethodRegistry.Get(BaseMethod);
    }
}
