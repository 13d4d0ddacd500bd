using AutoTimm.Imaging;
using AutoTimm.Interpretation.Targets;
using AutoTimm.Models;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Methods;

/// <summary>
/// Base of every explanation method. It owns what all methods share: input and target validation, chunked batching
/// (one forward/backward per chunk, never a loop over images), eval mode for the call with the model's mode
/// restored afterwards, and turning raw maps into <see cref="Heatmap"/>s. A method implements one function.
/// </summary>
public abstract class Explainer : IDisposable
{
    /// <summary>Creates the explainer for a model.</summary>
    protected Explainer(VisionModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        Model = model;
    }

    /// <summary>The model explained.</summary>
    public VisionModel Model { get; }

    /// <summary>Method id as the CLI names it (<c>gradcam</c>, <c>gradcampp</c>, ...).</summary>
    public abstract string Method { get; }

    /// <summary>Explains one image: a file, encoded bytes, a decoded image or a preprocessed tensor.</summary>
    /// <param name="image">The image; files and decoded images are preprocessed with the model's configuration.</param>
    /// <param name="targetClass">Class to explain; the predicted class when null.</param>
    public Heatmap Explain(ImageInput image, int? targetClass = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        using var input = image.ToModelInput(Model.Config.Preprocess);
        return Explain(input, targetClass);
    }

    /// <summary>Explains several images, preprocessing and explaining them chunk by chunk.</summary>
    /// <param name="images">The images.</param>
    /// <param name="targetClasses">One class per image, or null to explain each image's predicted class.</param>
    /// <param name="batchSize">Images per forward/backward.</param>
    public IReadOnlyList<Heatmap> ExplainBatch(IReadOnlyList<ImageInput> images, IReadOnlyList<int>? targetClasses = null, int batchSize = 32)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Count == 0) throw new ArgumentException("no images given", nameof(images));
        if (targetClasses is not null && targetClasses.Count != images.Count)
            throw new ArgumentException($"{targetClasses.Count} targets given for {images.Count} images: give exactly one target per image", nameof(targetClasses));
        var heatmaps = new List<Heatmap>(images.Count);
        foreach (var (start, count) in Chunks.Of(images.Count, batchSize))
        {
            using var scope = NewDisposeScope();
            var chunk = cat(images.Skip(start).Take(count).Select(i => i.ToModelInput(Model.Config.Preprocess)).ToArray(), 0);
            heatmaps.AddRange(ExplainBatch(chunk, targetClasses?.Skip(start).Take(count).ToArray(), batchSize));
        }
        return heatmaps;
    }

    /// <summary>Explains one preprocessed input <c>[3,H,W]</c> or <c>[1,3,H,W]</c>.</summary>
    /// <param name="input">Model input.</param>
    /// <param name="targetClass">Class to explain; the predicted class when null.</param>
    public Heatmap Explain(Tensor input, int? targetClass = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var batch = input.dim() == 3 ? input.unsqueeze(0) : input.alias();
        if (batch.shape[0] != 1)
            throw new ArgumentException($"Explain takes one image; got a batch of {batch.shape[0]}: use ExplainBatch", nameof(input));
        return ExplainTensors(batch, [targetClass is { } c ? new ClassTarget(c) : null], 1)[0];
    }

    /// <summary>Explains a batch of preprocessed inputs <c>[N,3,H,W]</c>, one forward/backward per chunk.</summary>
    /// <param name="inputs">Model inputs.</param>
    /// <param name="targetClasses">One class per image, or null to explain each image's predicted class.</param>
    /// <param name="batchSize">Images per chunk.</param>
    public IReadOnlyList<Heatmap> ExplainBatch(Tensor inputs, IReadOnlyList<int>? targetClasses = null, int batchSize = 32)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return ExplainTensors(inputs, targetClasses?.Select(c => (IExplanationTarget?)new ClassTarget(c)).ToArray(), batchSize);
    }

    /// <summary>Explains a batch for arbitrary targets (box scores, mask regions, ...); null entries mean the predicted class.</summary>
    public IReadOnlyList<Heatmap> ExplainTargets(Tensor inputs, IReadOnlyList<IExplanationTarget?> targets, int batchSize = 32)
    {
        ArgumentNullException.ThrowIfNull(targets);
        return ExplainTensors(inputs, targets, batchSize);
    }

    /// <summary>Computes raw maps for one chunk. Called in eval mode, inside a dispose scope; returns tensors of that scope.</summary>
    internal abstract RawExplanation Compute(Tensor inputs, IReadOnlyList<IExplanationTarget?> targets);

    private IReadOnlyList<Heatmap> ExplainTensors(Tensor inputs, IReadOnlyList<IExplanationTarget?>? targets, int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        InputValidation.CheckBatch(inputs);
        int n = (int)inputs.shape[0];
        if (targets is not null && targets.Count != n)
            throw new ArgumentException($"{targets.Count} targets given for {n} images: give exactly one target per image", nameof(targets));
        var resolved = targets ?? new IExplanationTarget?[n];
        var heatmaps = new List<Heatmap>(n);
        using var mode = new EvalModeScope(Model);
        foreach (var (start, count) in Chunks.Of(n, batchSize))
        {
            using var scope = NewDisposeScope();
            var chunk = inputs.narrow(0, start, count).to_type(ScalarType.Float32);
            var raw = Compute(chunk, resolved.Skip(start).Take(count).ToArray());
            heatmaps.AddRange(ToHeatmaps(raw));
        }
        return heatmaps;
    }

    internal IEnumerable<Heatmap> ToHeatmaps(RawExplanation raw)
    {
        var maps = raw.Maps.detach().to_type(ScalarType.Float32).contiguous();
        int n = (int)maps.shape[0], h = (int)maps.shape[1], w = (int)maps.shape[2];
        var probabilities = raw.Logits.detach().to_type(ScalarType.Float32).softmax(1);
        var predicted = raw.Logits.argmax(1).data<long>().ToArray();
        var attributions = raw.Attributions?.detach().to_type(ScalarType.Float32).contiguous();
        for (int i = 0; i < n; i++)
        {
            var values = maps[i].data<float>().ToArray();
            if (values.Any(v => !float.IsFinite(v)))
                throw new InvalidOperationException($"{Method} produced non-finite values for image {i}; check the input and the model for NaN/Inf");
            yield return new Heatmap(values, h, w)
            {
                Method = Method,
                TargetClass = raw.TargetClasses[i],
                PredictedClass = (int)predicted[i],
                Probabilities = probabilities[i].data<float>().ToArray(),
                Layer = raw.Layer,
                NativeResolution = raw.NativeResolution == default ? (h, w) : raw.NativeResolution,
                Attributions = attributions?[i].data<float>().ToArray(),
                ConvergenceDelta = raw.Deltas?[i],
            };
        }
    }

    /// <summary>Targets with nulls replaced by the predicted class of each image.</summary>
    internal static IExplanationTarget[] ResolveTargets(IReadOnlyList<IExplanationTarget?> targets, Tensor logits)
    {
        var predicted = logits.argmax(1).data<long>().ToArray();
        var resolved = new IExplanationTarget[targets.Count];
        for (int i = 0; i < targets.Count; i++)
            resolved[i] = targets[i] ?? new ClassTarget((int)predicted[i]);
        return resolved;
    }

    /// <summary>Sum over images of each image's target score: one backward explains the whole chunk.</summary>
    internal static Tensor SumScores(Tensor output, IReadOnlyList<IExplanationTarget> targets)
    {
        Tensor? total = null;
        for (int i = 0; i < targets.Count; i++)
        {
            var score = targets[i].Score(output[i]);
            total = total is null ? score : total + score;
        }
        return total!;
    }

    /// <summary>Class indices of targets, -1 for targets without one.</summary>
    internal static int[] ClassesOf(IReadOnlyList<IExplanationTarget> targets) => targets.Select(t => t.ClassIndex ?? -1).ToArray();

    /// <summary>Releases what the method holds (hooks live only during a call, so most methods hold nothing).</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases resources.</summary>
    protected virtual void Dispose(bool disposing) { }
}
