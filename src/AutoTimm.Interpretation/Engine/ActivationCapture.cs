using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Engine;

/// <summary>Holds a forward hook on one layer for the duration of one call and keeps the layer's latest output.</summary>
internal sealed class ActivationCapture : IDisposable
{
    private readonly nn.HookableModule<Func<nn.Module<Tensor, Tensor>, Tensor, Tensor>, Func<nn.Module<Tensor, Tensor>, Tensor, Tensor, Tensor>>.HookRemover _remover;

    /// <param name="layer">The layer to hook.</param>
    /// <param name="name">Its dotted name, for errors.</param>
    /// <param name="widenTo">
    /// When above 1, the layer's one-row output is replaced by that many rows (a stride-0 view): everything after the
    /// layer then runs once per row, so one backward gives each row's own gradient, while everything before it ran once.
    /// </param>
    /// <param name="startGradient">
    /// Make the layer's output the start of the autograd graph: it is detached and requires grad, and grad mode is
    /// switched on for the rest of the forward (until <see cref="EndGradient"/>). Run the forward under
    /// <c>no_grad</c>: the layers below then record nothing, and a gradient with respect to the layer's output costs
    /// an inference forward plus a backward through the layers above it.
    /// </param>
    public ActivationCapture(nn.Module<Tensor, Tensor> layer, string name, int widenTo = 1, bool startGradient = false)
    {
        Name = name;
        _remover = layer.register_forward_hook((_, _, output) =>
        {
            if (startGradient)
            {
                output = output.detach().requires_grad_(true);
                _gradientMode ??= enable_grad();
            }
            if (widenTo > 1)
            {
                if (output.shape[0] != 1)
                    throw new InvalidOperationException($"layer '{name}' output has {output.shape[0]} rows; only a one-image forward can be widened");
                var shape = output.shape.ToArray();
                shape[0] = widenTo;
                output = output.expand(shape);
            }
            Activation = output;
            return output;
        });
    }

    private IDisposable? _gradientMode;

    /// <summary>Restores the grad mode the forward ran in (call right after the forward, on its thread).</summary>
    public void EndGradient()
    {
        _gradientMode?.Dispose();
        _gradientMode = null;
    }

    /// <summary>Dotted name of the hooked layer.</summary>
    public string Name { get; }

    /// <summary>The layer's output in the latest forward pass.</summary>
    public Tensor? Activation { get; private set; }

    /// <summary>The captured output, or an error saying the layer was not reached.</summary>
    public Tensor Require() => Activation
        ?? throw new InvalidOperationException($"layer '{Name}' did not run during the forward pass; is it part of the model's forward path?");

    public void Dispose()
    {
        EndGradient();
        _remover.remove();
    }
}
