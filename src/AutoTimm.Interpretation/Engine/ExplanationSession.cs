using System.Diagnostics;
using AutoTimm.Diagnostics;
using AutoTimm.Interpretation.Targets;
using AutoTimm.Models;
using AutoTimm.Native;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Engine;

/// <summary>
/// One explanation call's working state, shared by every method in the call: the model in eval mode (every module's
/// own flag restored at the end), the forward's outputs and the gradients of target scores with respect to hooked
/// layers, each computed once per input and reused by every method that reads the same layer (Grad-CAM, Grad-CAM++,
/// HiResCAM and XGradCAM of one layer cost one forward and one partial backward together), and the time each method
/// took. Hooks live only during the forward that needs them.
/// </summary>
/// <remarks>
/// Several targets of one image (a detector's boxes, a segmenter's classes) come as the image repeated along the
/// batch dimension as a stride-0 view (<c>image.expand(K, ...)</c>). The session sees that and runs the layers below
/// the explained layer once: the layer's output is widened to K rows, and one backward of the K stacked scores gives
/// each target its own gradient.
/// </remarks>
/// <remarks>
/// A session belongs to one thread and one model. Tensors it returns belong to the dispose scope the caller opened
/// around the call.
/// </remarks>
public sealed class ExplanationSession : IDisposable
{
    private readonly EvalModeScope _mode;
    // Results per input tensor (by reference), for the few most recent inputs: a multi-method call reuses them, a
    // chunked method (SmoothGrad's noisy copies) moves on without piling them up.
    private const int RememberedInputs = 4;
    private readonly List<(Tensor Inputs, string Key, IReadOnlyList<IExplanationTarget?> Targets, object Value)> _memo = [];
    private readonly Dictionary<string, double> _timings = [];

    internal ExplanationSession(VisionModel model, ExplanationTask? task = null)
    {
        Model = model;
        Task = task ?? ExplanationTask.For(model);
        if (Task.Kind != model.Config.Task) throw new ArgumentException($"a {Task.Kind} task cannot explain {model.Config.Arch}, a {model.Config.Task}", nameof(task));
        _mode = new EvalModeScope(model);
    }

    /// <summary>The model explained.</summary>
    public VisionModel Model { get; }

    /// <summary>The model's task: default targets and prediction summaries.</summary>
    public ExplanationTask Task { get; }

    /// <summary>Where forward and backward passes are timed (stages <c>forward</c> and <c>backward</c>), or null.</summary>
    public PerformanceProfiler? Profiler { get; init; }

    /// <summary>Milliseconds spent per method id in this session.</summary>
    public IReadOnlyDictionary<string, double> TimingsMs => _timings;

    /// <summary>The model's output for <paramref name="inputs"/> without autograd; computed once per input tensor.</summary>
    public Tensor Output(Tensor inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (Recall<Tensor>(inputs, "output", []) is { } cached) return cached;
        using var _ = no_grad();
        var output = IsRepeatedImage(inputs)
            ? Widen(Forward(inputs.narrow(0, 0, 1)), inputs.shape[0])
            : Forward(inputs);
        Remember(inputs, "output", [], output);
        return output;
    }

    /// <summary>Targets with nulls replaced by the task's default target for each image of <paramref name="output"/>.</summary>
    public IExplanationTarget[] ResolveTargets(Tensor output, IReadOnlyList<IExplanationTarget?> targets)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(targets);
        RequireOneTargetPerImage(targets, output.shape[0]);
        return targets.Select((t, i) => t ?? Task.DefaultTarget(output[i])).ToArray();
    }

    /// <summary>Throws unless <paramref name="targets"/> holds one target (or null) per image.</summary>
    internal static void RequireOneTargetPerImage(IReadOnlyList<IExplanationTarget?> targets, long images)
    {
        if (targets.Count != images)
            throw new ArgumentException($"{targets.Count} targets given for {images} images: give exactly one target per image", nameof(targets));
    }

    /// <summary>
    /// One forward with a hook on <paramref name="layer"/>, then the gradient of the sum of the targets' scores with
    /// respect to that layer's output only (<c>autograd.grad</c>: no parameter gradients). Computed once per input,
    /// layer and targets in the session.
    /// </summary>
    public LayerGradients GradientsAt(Tensor inputs, string layer, IReadOnlyList<IExplanationTarget?> targets)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentException.ThrowIfNullOrEmpty(layer);
        ArgumentNullException.ThrowIfNull(targets);
        var (module, name) = LayerSelector.Resolve(Model, layer, null);
        var key = $"gradients at {name}";
        if (Recall<LayerGradients>(inputs, key, targets) is { } cached) return cached;

        bool shared = IsRepeatedImage(inputs);
        using var capture = new ActivationCapture(module, name, shared ? (int)inputs.shape[0] : 1, startGradient: true);
        using var head = LinearHeadCapture.Attach(Model);
        // The layers below the explained one run without autograd; the graph starts at the layer's output.
        Tensor output;
        using (no_grad())
        {
            try
            {
                output = Widen(Forward(shared ? inputs.narrow(0, 0, 1) : inputs), inputs.shape[0]);
            }
            finally
            {
                capture.EndGradient();
            }
        }
        using var gradMode = enable_grad();
        var activation = capture.Require();
        if (!output.requires_grad)
            throw new InvalidOperationException($"the model's output does not depend differentiably on layer '{name}'; choose a layer on the path to the output");
        var resolved = ResolveTargets(output, targets);
        var score = SumScores(head, output, resolved);
        var gradient = Backward(score, activation);
        var result = new LayerGradients(name, output.detach(), activation.detach(), gradient, resolved);
        if (Recall<Tensor>(inputs, "output", []) is null) Remember(inputs, "output", [], result.Output);
        Remember(inputs, key, [.. targets], result);
        return result;
    }

    /// <summary>
    /// One forward without autograd and with a hook on <paramref name="layer"/>: the layer's output for gradient-free
    /// methods. Reuses <see cref="GradientsAt"/>'s activations when they were computed for the same input and targets.
    /// </summary>
    public (Tensor Output, Tensor Activation, IExplanationTarget[] Targets) ActivationsAt(Tensor inputs, string layer, IReadOnlyList<IExplanationTarget?> targets)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentException.ThrowIfNullOrEmpty(layer);
        ArgumentNullException.ThrowIfNull(targets);
        var (module, name) = LayerSelector.Resolve(Model, layer, null);
        if (Recall<LayerGradients>(inputs, $"gradients at {name}", targets) is { } known)
            return (known.Output, known.Activation, [.. known.Targets]);
        bool shared = IsRepeatedImage(inputs);
        using var capture = new ActivationCapture(module, name, shared ? (int)inputs.shape[0] : 1);
        using var _ = no_grad();
        var output = Widen(Forward(shared ? inputs.narrow(0, 0, 1) : inputs), inputs.shape[0]);
        if (Recall<Tensor>(inputs, "output", []) is null) Remember(inputs, "output", [], output);
        return (output, capture.Require(), ResolveTargets(output, targets));
    }

    /// <summary>Whether <paramref name="inputs"/> is one image repeated as a stride-0 view (several targets of one image).</summary>
    public static bool IsRepeatedImage(Tensor inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return inputs.shape[0] > 1 && inputs.stride(0) == 0;
    }

    private Tensor Forward(Tensor inputs)
    {
        using var _ = PerformanceProfiler.Measure(Profiler, "forward");
        return Model.call(inputs);
    }

    private Tensor Backward(Tensor score, Tensor with)
    {
        using var _ = PerformanceProfiler.Measure(Profiler, "backward");
        return GradientGuard.Grad(score, with, "the target score");
    }

    // An output that does not depend on the widened layer (the layer is not on its path) still has one row.
    private static Tensor Widen(Tensor output, long rows) =>
        output.shape[0] == rows ? output : output.expand([rows, .. output.shape.Skip(1)]);

    /// <summary>Gradient of the sum of each row's target score with respect to the input rows themselves.</summary>
    public (Tensor Output, Tensor Gradient) InputGradients(Tensor rows, IReadOnlyList<IExplanationTarget> rowTargets)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(rowTargets);
        using var gradMode = enable_grad();
        var x = rows.detach().requires_grad_(true);
        using var head = LinearHeadCapture.Attach(Model);
        var output = Forward(x);
        var score = SumScores(head, output, rowTargets);
        return (output.detach(), Backward(score, x));
    }

    /// <summary>
    /// A forward that also returns every block's attention probabilities <c>[N, heads, T, T]</c>, through the model's
    /// <see cref="IAttentionModel"/> probes; with <paramref name="withGradients"/> they stay on the autograd graph.
    /// </summary>
    public (Tensor Output, Tensor[] Attention) ForwardWithAttention(Tensor inputs, bool withGradients)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var attentionModel = AttentionUnavailable(Model) is null ? (IAttentionModel)Model : throw new NotSupportedException(AttentionUnavailable(Model));
        var captures = attentionModel.AttentionProbes.Select((probe, i) => new ActivationCapture(probe, $"attention probe of block {i}")).ToList();
        try
        {
            using var gradMode = withGradients ? enable_grad() : no_grad();
            var output = Forward(withGradients ? inputs.detach().requires_grad_(true) : inputs);
            var attention = captures.Select(c => c.Require()).ToArray();
            CheckAttentionShapes(attention, inputs.shape[0]);
            return (output, attention);
        }
        finally
        {
            foreach (var capture in captures) capture.Dispose();
        }
    }

    /// <summary>
    /// Attention methods multiply the blocks' maps: every one must be <c>[N, heads, T, T]</c> with one token count T.
    /// A mismatch from a custom <see cref="IAttentionModel"/> is reported here; libtorch's <c>matmul</c> would abort the
    /// process on it.
    /// </summary>
    private static void CheckAttentionShapes(Tensor[] attention, long rows)
    {
        if (attention.Length == 0) throw new InvalidOperationException("the model's attention probes captured no attention maps");
        long tokens = attention[0].shape[^1];
        for (int i = 0; i < attention.Length; i++)
        {
            var shape = attention[i].shape;
            if (shape.Length != 4 || shape[0] != rows || shape[2] != tokens || shape[3] != tokens)
                throw new InvalidOperationException(
                    $"attention probe of block {i} captured [{string.Join(", ", shape)}]; every block's attention must be [{rows}, heads, {tokens}, {tokens}] (images, heads, tokens, tokens)");
        }
    }

    /// <summary>Why attention methods do not apply to <paramref name="model"/>, or null when they do.</summary>
    public static string? AttentionUnavailable(VisionModel model) => model is IAttentionModel attention
        ? attention.AttentionUnavailable
        : $"{model?.Config.Arch} has no attention layers (attention methods need a transformer implementing IAttentionModel); use gradcam, gradcampp, integrated_gradients or smoothgrad for CNNs";

    // The class scores through the hooked head's weight rows where they apply (see LinearHeadCapture), else every
    // target's score read from the output.
    private static Tensor SumScores(LinearHeadCapture? head, Tensor output, IReadOnlyList<IExplanationTarget> targets) =>
        head?.SumClassScores(output, targets) ?? SumScores(output, targets);

    /// <summary>Sum over rows of each row's target score: one backward explains the whole chunk.</summary>
    public static Tensor SumScores(Tensor output, IReadOnlyList<IExplanationTarget> targets)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(targets);
        if (targets.Count != output.shape[0])
            throw new ArgumentException($"{targets.Count} targets for {output.shape[0]} output rows");
        Tensor? total = null;
        for (int i = 0; i < targets.Count; i++)
        {
            var score = targets[i].Score(output[i]);
            if (score.numel() != 1)
                throw new InvalidOperationException($"target {targets[i].GetType().Name} returned a score of shape [{string.Join(", ", score.shape)}]; a target's score is one number");
            total = total is null ? score : total.add(score, Scalars.One);
        }
        return total!;
    }

    // Targets match by Equals: value equality for records such as ClassTarget, reference equality for other classes.
    private T? Recall<T>(Tensor inputs, string key, IReadOnlyList<IExplanationTarget?> targets) where T : class =>
        _memo.FirstOrDefault(m => ReferenceEquals(m.Inputs, inputs) && m.Key == key && m.Targets.SequenceEqual(targets)).Value as T;

    private void Remember(Tensor inputs, string key, IReadOnlyList<IExplanationTarget?> targets, object value)
    {
        if (!_memo.Any(m => ReferenceEquals(m.Inputs, inputs)))
        {
            var distinct = _memo.Select(m => m.Inputs).Distinct(ReferenceEqualityComparer.Instance).ToList();
            if (distinct.Count >= RememberedInputs) _memo.RemoveAll(m => ReferenceEquals(m.Inputs, distinct[0]));
        }
        _memo.Add((inputs, key, targets, value));
    }

    /// <summary>Runs <paramref name="work"/> and adds its wall time to <paramref name="method"/>'s timing.</summary>
    internal T Timed<T>(string method, Func<T> work)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            return work();
        }
        finally
        {
            _timings[method] = _timings.GetValueOrDefault(method) + clock.Elapsed.TotalMilliseconds;
        }
    }

    /// <summary>Restores the model's training flags.</summary>
    public void Dispose() => _mode.Dispose();
}

/// <summary>What <see cref="ExplanationSession.GradientsAt"/> computed for one layer.</summary>
/// <param name="Layer">Dotted name of the layer.</param>
/// <param name="Output">The model's output.</param>
/// <param name="Activation">The layer's output.</param>
/// <param name="Gradient">Gradient of the summed target scores with respect to <paramref name="Activation"/>.</param>
/// <param name="Targets">The targets explained, one per image.</param>
public sealed record LayerGradients(string Layer, Tensor Output, Tensor Activation, Tensor Gradient, IReadOnlyList<IExplanationTarget> Targets);
