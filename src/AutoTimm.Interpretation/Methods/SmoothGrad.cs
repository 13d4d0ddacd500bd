using AutoTimm.Interpretation.Targets;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Methods;

/// <summary>
/// SmoothGrad (Smilkov et al. 2017) around any explainer: the explainer's raw maps of <see cref="NumSamples"/> noisy
/// copies of each input are averaged. The noise is Gaussian with standard deviation
/// <c>NoiseLevel * (max(x) - min(x))</c> of each input, as in the paper, drawn from <see cref="Seed"/> so an image's
/// map is the same alone or in any batch; noisy copies of all images are explained in
/// chunks of the batch size, one forward/backward per chunk. Seeded.
/// </summary>
public sealed class SmoothGrad : Explainer
{
    /// <summary>Wraps <paramref name="inner"/>.</summary>
    /// <param name="inner">Explainer whose maps are averaged.</param>
    /// <param name="noiseLevel">Noise standard deviation as a fraction of each input's value range.</param>
    /// <param name="numSamples">Noisy copies per image.</param>
    /// <param name="seed">Seed of the noise.</param>
    /// <param name="samplesPerBatch">Noisy copies explained per inner call.</param>
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

    internal override RawExplanation Compute(Tensor inputs, IReadOnlyList<IExplanationTarget?> targets)
    {
        int n = (int)inputs.shape[0];
        Tensor logits;
        using (no_grad()) logits = Model.call(inputs);
        // Targets are fixed on the clean input, so every noisy copy explains the same class.
        var resolved = ResolveTargets(targets, logits);
        var range = (inputs.amax([1, 2, 3]) - inputs.amin([1, 2, 3])).reshape(-1, 1, 1, 1);
        var sigma = range * NoiseLevel;
        // The same seeded noise pattern for every image, drawn at once: an image's map does not depend on which
        // batch it is explained in or on how samples are chunked.
        using var generator = new Generator((ulong)Seed);
        var noise = randn([NumSamples, .. inputs.shape.Skip(1)], generator: generator, dtype: inputs.dtype);
        Tensor? sum = null;
        RawExplanation? last = null;
        foreach (var (start, count) in Chunks.Of(NumSamples, SamplesPerBatch))
        {
            // Each chunk's forward/backward intermediates go when the chunk ends; only the running sum stays.
            using var scope = NewDisposeScope();
            // [count, N, 3, H, W] -> [count*N, 3, H, W]: sample-major so each image's copies share its target.
            var noisy = (inputs.unsqueeze(0) + noise.narrow(0, start, count).unsqueeze(1) * sigma.unsqueeze(0))
                .reshape(count * n, inputs.shape[1], inputs.shape[2], inputs.shape[3]);
            var rowTargets = Enumerable.Range(0, count).SelectMany(_ => resolved).ToArray();
            last = Inner.Compute(noisy, rowTargets);
            var maps = last.Maps.reshape(count, n, last.Maps.shape[1], last.Maps.shape[2]).sum(0L);
            var previous = sum;
            sum = (previous is null ? maps : previous + maps).MoveToOuterDisposeScope();
            previous?.Dispose();
        }
        return new RawExplanation(sum! / NumSamples, logits, ClassesOf(resolved))
        {
            NativeResolution = last!.NativeResolution,
            Layer = last.Layer,
        };
    }
}
