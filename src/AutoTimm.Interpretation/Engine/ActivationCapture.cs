using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Engine;

/// <summary>Holds a forward hook on one layer for the duration of one call and keeps the layer's latest output.</summary>
internal sealed class ActivationCapture : IDisposable
{
    private readonly nn.HookableModule<Func<nn.Module<Tensor, Tensor>, Tensor, Tensor>, Func<nn.Module<Tensor, Tensor>, Tensor, Tensor, Tensor>>.HookRemover _remover;

    public ActivationCapture(nn.Module<Tensor, Tensor> layer, string name)
    {
        Name = name;
        _remover = layer.register_forward_hook((_, _, output) =>
        {
            Activation = output;
            return output;
        });
    }

    /// <summary>Dotted name of the hooked layer.</summary>
    public string Name { get; }

    /// <summary>The layer's output in the latest forward pass.</summary>
    public Tensor? Activation { get; private set; }

    /// <summary>The captured output, or an error saying the layer was not reached.</summary>
    public Tensor Require() => Activation
        ?? throw new InvalidOperationException($"layer '{Name}' did not run during the forward pass; is it part of the model's forward path?");

    public void Dispose() => _remover.remove();
}
