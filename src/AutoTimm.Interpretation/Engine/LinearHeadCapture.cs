using AutoTimm.Interpretation.Targets;
using AutoTimm.Models;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Engine;

/// <summary>
/// Holds a forward hook on a classifier's linear head (a ResNet's <c>fc</c>, a ViT's <c>head</c>) for one forward, so
/// that class scores can be differentiated as what they are, <c>x · W[c] + b[c]</c> of the head's input x: their
/// backward then reads the one weight row each score depends on instead of the whole head.
/// </summary>
/// <remarks>
/// The gradient with respect to x is W[c] either way, bit for bit (back through the head, the one-hot gradient of the
/// score meets every other row of W with an exact zero). What changes is the work: back through the head it is a
/// product with all of W, which for ResNet-50's 1000 classes reads 8 MB, a memory-bound pass as long as the head's own
/// forward, and a batch-1 Grad-CAM paid it after the forward. It applies only where the model's output is the head's
/// output itself (the same tensor) and every target is a class; anything else (an ONNX graph, a head that is not
/// <c>Linear</c>, a forward that transforms the logits) is differentiated through the whole output.
/// </remarks>
internal sealed class LinearHeadCapture : IDisposable
{
    private readonly TorchSharp.Modules.Linear _head;
    private readonly nn.HookableModule<Func<nn.Module<Tensor, Tensor>, Tensor, Tensor>, Func<nn.Module<Tensor, Tensor>, Tensor, Tensor, Tensor>>.HookRemover _remover;
    private Tensor? _input, _output;

    private LinearHeadCapture(TorchSharp.Modules.Linear head)
    {
        _head = head;
        _remover = head.register_forward_hook((_, input, output) =>
        {
            _input = input;
            _output = output;
            return output;
        });
    }

    /// <summary>Hooks <paramref name="model"/>'s head for the next forward; null when the model is not a classifier with a <c>Linear</c> head.</summary>
    public static LinearHeadCapture? Attach(VisionModel model)
    {
        if (model is not ImageClassifier classifier) return null;
        var (head, _) = LayerSelector.Resolve(model, classifier.ClassifierName, null);
        return head is TorchSharp.Modules.Linear linear ? new LinearHeadCapture(linear) : null;
    }

    /// <summary>
    /// The sum over rows of each row's class score less its bias, <c>x[i] · W[c_i]</c>, on the autograd graph of the
    /// head's input (a bias is a constant: the gradient is the same without it); null when <paramref name="output"/> is
    /// not the head's output of the last forward, the head's input is not on the autograd graph, or a target is not a
    /// <see cref="ClassTarget"/>.
    /// </summary>
    public Tensor? SumClassScores(Tensor output, IReadOnlyList<IExplanationTarget> targets)
    {
        // The head's input must be on the graph: not so when the layer explained is the head itself, or above it.
        if (_input is null || !_input.requires_grad || !ReferenceEquals(output, _output) || _input.dim() != 2 || output.dim() != 2
            || targets.Count != output.shape[0])
            return null;
        var classes = new long[targets.Count];
        for (int i = 0; i < targets.Count; i++)
        {
            if (targets[i] is not ClassTarget target) return null;
            target.RequireWithin(output.shape[1]);
            classes[i] = target.Class;
        }
        using var index = tensor(classes, device: output.device);
        using var weight = _head.weight!.detach();
        using var rows = weight.index_select(0, index);
        using var products = _input.mul(rows);
        return products.sum();
    }

    public void Dispose() => _remover.remove();
}
