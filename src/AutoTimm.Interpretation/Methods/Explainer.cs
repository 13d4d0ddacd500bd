using AutoTimm.Imaging;
using AutoTimm.Interpretation.Engine;
using AutoTimm.Interpretation.Targets;
using AutoTimm.Models;
using AutoTimm.Native;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Methods;

/// <summary>
/// Base of every explanation method. It owns what all methods share: input and target validation, chunked batching
/// (one forward/backward per chunk, never a loop over images), the per-call <see cref="ExplanationSession"/> (eval
/// mode with every module's flag restored, shared forward and gradients), and turning raw maps into
/// <see cref="Heatmap"/>s. A method implements <see cref="Compute"/>; methods outside this library derive from this
/// class the same way.
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

    /// <summary>
    /// What the registry created this explainer from (method id and options), or null for an explainer constructed
    /// directly, whose parameters the library cannot see: only the former's results are cached.
    /// </summary>
    internal string? Configuration { get; set; }

    /// <summary>
    /// The cache this explainer's results are kept in, or null for <see cref="Batch.ExplanationCache.Global"/> (itself
    /// null, no caching, unless set). Applies to explainers the registry or the high-level API created, explaining
    /// classifiers' class targets.
    /// </summary>
    public Batch.ExplanationCache? Cache { get; set; }

    /// <summary>
    /// Whether the method records every layer of the forward for a backward (gradients with respect to the input), so
    /// a row costs all the model's activations: such methods take their chunks from <see cref="Engine.MemoryBudget"/>.
    /// </summary>
    internal virtual bool RecordsWholeForward => false;

    /// <summary>
    /// Whether a row costs one forward (and at most one backward) and nothing per row beyond it, so one more row in a
    /// chunk costs that row's share of the pass: SmoothGrad then explains the clean image in its first chunk of noisy
    /// copies instead of running a forward of its own.
    /// </summary>
    internal virtual bool OnePassPerRow => false;

    /// <summary>Method id as the registry names it (<c>gradcam</c>, <c>gradcampp</c>, ...).</summary>
    public abstract string Method { get; }

    /// <summary>
    /// Computes raw maps for one chunk of preprocessed inputs <c>[N,3,H,W]</c>. Called in eval mode, inside a dispose
    /// scope: return tensors of that scope. A null target means the task's default for that image
    /// (<see cref="ExplanationSession.ResolveTargets"/>).
    /// </summary>
    public abstract RawExplanation Compute(ExplanationSession session, Tensor inputs, IReadOnlyList<IExplanationTarget?> targets);

    /// <summary>Explains one image: a file, encoded bytes, a decoded image or a preprocessed tensor.</summary>
    /// <param name="image">The image; files and decoded images are preprocessed with the model's configuration.</param>
    /// <param name="targetClass">Class to explain; the task's default (the predicted class) when null.</param>
    public Heatmap Explain(ImageInput image, int? targetClass = null) => Explain(image, ClassTargetOf(targetClass));

    /// <summary>Explains one image for any target (class, box, mask region); the task's default when null.</summary>
    public Heatmap Explain(ImageInput image, IExplanationTarget? target)
    {
        ArgumentNullException.ThrowIfNull(image);
        using var input = image.ToModelInput(Model.Config.Preprocess, Model.Device);
        return Explain(input, target);
    }

    /// <summary>Explains one preprocessed input <c>[3,H,W]</c> or <c>[1,3,H,W]</c>.</summary>
    /// <param name="input">Model input.</param>
    /// <param name="targetClass">Class to explain; the predicted class when null.</param>
    public Heatmap Explain(Tensor input, int? targetClass = null) => Explain(input, ClassTargetOf(targetClass));

    /// <summary>Explains one preprocessed input for any target; the task's default when null.</summary>
    public Heatmap Explain(Tensor input, IExplanationTarget? target)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var batch = input.dim() == 3 ? input.unsqueeze(0) : input.alias();
        if (batch.shape[0] != 1)
            throw new ArgumentException($"Explain takes one image; got a batch of {batch.shape[0]}: use ExplainBatch", nameof(input));
        return ExplainTargets(batch, [target], 1)[0];
    }

    /// <summary>Explains several images, preprocessing and explaining them chunk by chunk.</summary>
    /// <param name="images">The images.</param>
    /// <param name="targetClasses">One class per image, or null to explain each image's predicted class.</param>
    /// <param name="batchSize">Images per forward/backward.</param>
    public IReadOnlyList<Heatmap> ExplainBatch(IReadOnlyList<ImageInput> images, IReadOnlyList<int>? targetClasses = null, int batchSize = 32) =>
        ExplainTargets(images, ClassTargetsOf(targetClasses, images?.Count), batchSize);

    /// <summary>Explains several images for any targets (null entries: the task's default), chunk by chunk.</summary>
    public IReadOnlyList<Heatmap> ExplainTargets(IReadOnlyList<ImageInput> images, IReadOnlyList<IExplanationTarget?>? targets, int batchSize = 32)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Count == 0) throw new ArgumentException("no images given", nameof(images));
        if (targets is not null && targets.Count != images.Count)
            throw new ArgumentException($"{targets.Count} targets given for {images.Count} images: give exactly one target per image", nameof(targets));
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var heatmaps = new List<Heatmap>(images.Count);
        // Looked up once: Device enumerates the model's parameters.
        var device = Model.Device;
        foreach (var (start, count) in Chunks.Of(images.Count, batchSize))
        {
            using var scope = NewDisposeScope();
            var chunk = cat(images.Skip(start).Take(count).Select(i => i.ToModelInput(Model.Config.Preprocess, device)).ToArray(), 0);
            heatmaps.AddRange(ExplainTargets(chunk, targets?.Skip(start).Take(count).ToArray(), batchSize));
        }
        return heatmaps;
    }

    /// <summary>Explains a batch of preprocessed inputs <c>[N,3,H,W]</c>, one forward/backward per chunk.</summary>
    /// <param name="inputs">Model inputs.</param>
    /// <param name="targetClasses">One class per image, or null to explain each image's predicted class.</param>
    /// <param name="batchSize">Images per chunk.</param>
    public IReadOnlyList<Heatmap> ExplainBatch(Tensor inputs, IReadOnlyList<int>? targetClasses = null, int batchSize = 32)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return ExplainTargets(inputs, ClassTargetsOf(targetClasses, null), batchSize);
    }

    /// <summary>Explains a batch for any targets (box scores, mask regions, ...); null entries mean the task's default.</summary>
    /// <param name="inputs">Model inputs; one image repeated as a stride-0 view explains several targets of it in one pass.</param>
    /// <param name="targets">One target per row, or null for each row's default.</param>
    /// <param name="batchSize">Rows per chunk.</param>
    /// <param name="task">The task that summarizes predictions and picks defaults (e.g. a detection task with the caller's threshold); the model's when null.</param>
    public IReadOnlyList<Heatmap> ExplainTargets(Tensor inputs, IReadOnlyList<IExplanationTarget?>? targets, int batchSize = 32, ExplanationTask? task = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        Model.CheckInput(inputs);
        int n = (int)inputs.shape[0];
        if (targets is not null && targets.Count != n)
            throw new ArgumentException($"{targets.Count} targets given for {n} images: give exactly one target per image", nameof(targets));
        var resolved = targets ?? new IExplanationTarget?[n];
        using var lookupScope = NewDisposeScope();
        var lookup = Batch.ExplanationCache.Lookup(Cache ?? Batch.ExplanationCache.Global, this, task ?? ExplanationTask.For(Model), inputs, resolved);
        // Everything known: no session, no model call.
        if (lookup.Missing.Length == 0) return lookup.Found.Select(h => h!).ToList();
        using var session = new ExplanationSession(Model, task);
        var missing = lookup.MissingRows(inputs);
        var missingTargets = lookup.Missing.Select(i => resolved[i]).ToArray();
        var device = Model.Device;
        int done = 0;
        foreach (var (start, count) in Chunks.Of(lookup.Missing.Length, batchSize))
        {
            using var scope = NewDisposeScope();
            var chunk = missing.narrow(0, start, count).to(ScalarType.Float32, device);
            var raw = session.Timed(Method, () => Compute(session, chunk, missingTargets.Skip(start).Take(count).ToArray()));
            foreach (var heatmap in ToHeatmaps(session, raw)) lookup.Computed(lookup.Missing[done++], heatmap);
        }
        return lookup.Found.Select(h => h!).ToList();
    }

    /// <summary>The heatmaps of a raw explanation: maps copied out, targets and the task's prediction summaries attached.</summary>
    internal IEnumerable<Heatmap> ToHeatmaps(ExplanationSession session, RawExplanation raw)
    {
        var maps = raw.Maps.detach().to(ScalarType.Float32, CPU).contiguous();
        int n = (int)maps.shape[0], h = (int)maps.shape[1], w = (int)maps.shape[2];
        if (raw.Targets.Count != n) throw new InvalidOperationException($"{Method} returned {raw.Targets.Count} targets for {n} maps");
        var attributions = raw.Attributions?.detach().to(ScalarType.Float32, CPU).contiguous();
        var deltas = raw.Deltas?.detach().to(ScalarType.Float64, CPU).CopyToArray<double>();
        for (int i = 0; i < n; i++)
        {
            var values = maps[i].CopyToArray<float>();
            if (!FiniteCheck.All(values))
                throw new InvalidOperationException($"{Method} produced non-finite values for image {i}; check the input and the model for NaN/Inf");
            yield return new Heatmap(values, h, w)
            {
                Method = Method,
                Target = raw.Targets[i],
                Prediction = session.Task.Summarize(raw.Output[i]),
                Layer = raw.Layer,
                NativeResolution = raw.NativeResolution == default ? (h, w) : raw.NativeResolution,
                Attributions = attributions?[i].CopyToArray<float>(),
                ConvergenceDelta = deltas?[i],
            };
        }
    }

    private static ClassTarget? ClassTargetOf(int? targetClass) => targetClass is { } c ? new ClassTarget(c) : null;

    private static IExplanationTarget?[]? ClassTargetsOf(IReadOnlyList<int>? classes, int? expected)
    {
        if (classes is null) return null;
        if (expected is { } n && classes.Count != n)
            throw new ArgumentException($"{classes.Count} targets given for {n} images: give exactly one target per image", nameof(classes));
        return classes.Select(c => (IExplanationTarget?)new ClassTarget(c)).ToArray();
    }

    /// <summary>Releases what the method holds (hooks live only during a call, so most methods hold nothing).</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases resources.</summary>
    protected virtual void Dispose(bool disposing) { }
}
