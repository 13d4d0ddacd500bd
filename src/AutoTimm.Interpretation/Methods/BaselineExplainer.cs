using TorchSharp;
using AutoTimm.Interpretation.Engine;
using AutoTimm.Interpretation.Targets;
using AutoTimm.Models;
using static TorchSharp.torch;
using AutoTimm.Native;

namespace AutoTimm.Interpretation.Methods;

/// <summary>
/// Reference maps that know nothing of the model: <c>random</c> (uniform noise) and <c>center</c> (a Gaussian at the
/// image centre). A real method should beat both on faithfulness and localization metrics; one that does not is
/// explaining little. They still take targets and report the model's prediction, like every method.
/// </summary>
public sealed class BaselineExplainer : Explainer
{
    private readonly bool _random;
    private readonly BaselineOptions _options;

    private BaselineExplainer(VisionModel model, bool random, BaselineOptions options) : base(model)
    {
        options.Validate();
        _random = random;
        _options = options;
    }

    /// <summary>The uniform-noise baseline.</summary>
    public static BaselineExplainer Random(VisionModel model, BaselineOptions? options = null) => new(model, true, options ?? new BaselineOptions());

    /// <summary>The centre-Gaussian baseline.</summary>
    public static BaselineExplainer Center(VisionModel model, BaselineOptions? options = null) => new(model, false, options ?? new BaselineOptions());

    /// <inheritdoc/>
    public override string Method => _random ? "random" : "center";

    /// <inheritdoc/>
    public override RawExplanation Compute(ExplanationSession session, Tensor inputs, IReadOnlyList<IExplanationTarget?> targets)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(inputs);
        var output = session.Output(inputs);
        var resolved = session.ResolveTargets(output, targets);
        long n = inputs.shape[0], h = inputs.shape[2], w = inputs.shape[3];
        Tensor maps;
        if (_random)
        {
            // Each image draws from a generator seeded by the seed and the image's own bytes: the same map alone, in any
            // batch and at any position, and a different map for a different image.
            maps = stack(Enumerable.Range(0, (int)n).Select(i =>
            {
                using var generator = new TorchSharp.torch.Generator(ContentSeed(inputs[i], _options.Seed));
                return rand(h, w, device: CPU, generator: generator);
            }).ToArray()).to(inputs.device);
        }
        else
        {
            double sigma = _options.CenterSigma * Math.Min(h, w);
            // Per-call values go in Scalars that live to the end of the block (docs/torchsharp-notes.md).
            using Scalar height = h, width = w, yCentre = (h - 1) / 2.0, xCentre = (w - 1) / 2.0, twoVariance = 2 * sigma * sigma;
            var ys = arange(Scalars.Of(0), height, Scalars.One, dtype: ScalarType.Float32, device: inputs.device).sub(yCentre);
            var xs = arange(Scalars.Of(0), width, Scalars.One, dtype: ScalarType.Float32, device: inputs.device).sub(xCentre);
            var map = ys.pow(Scalars.Of(2)).unsqueeze(1).add(xs.pow(Scalars.Of(2)).unsqueeze(0), Scalars.One).neg().div(twoVariance).exp();
            maps = map.unsqueeze(0).expand(n, h, w);
        }
        return new RawExplanation(maps, output, resolved) { NativeResolution = ((int)h, (int)w) };
    }

    /// <summary>A seed from an image's float32 bytes (SHA-256) and the caller's seed.</summary>
    private static ulong ContentSeed(Tensor image, long seed)
    {
        using var cpu = image.detach().to(ScalarType.Float32, CPU).contiguous();
        var hash = System.Security.Cryptography.SHA256.HashData(cpu.bytes);
        return BitConverter.ToUInt64(hash, 0) ^ unchecked((ulong)seed * 0x9E3779B97F4A7C15UL);
    }

    /// <summary>The registry's entry for <c>random</c>.</summary>
    public static MethodDescriptor RandomDescriptor { get; } = new("random", "Random baseline", typeof(BaselineOptions),
        (model, options) => Random(model, options.Get<BaselineOptions>()))
    {
        Summary = "uniform noise, seeded per image: the floor a real method must beat",
        RunsByDefault = false,
    };

    /// <summary>The registry's entry for <c>center</c>.</summary>
    public static MethodDescriptor CenterDescriptor { get; } = new("center", "Centre baseline", typeof(BaselineOptions),
        (model, options) => Center(model, options.Get<BaselineOptions>()))
    {
        Summary = "a Gaussian at the image centre (sigma a quarter of the shorter side): the centre-bias floor",
        RunsByDefault = false,
    };
}
