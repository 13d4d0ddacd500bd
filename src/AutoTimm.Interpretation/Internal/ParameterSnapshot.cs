using TorchSharp;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Internal;

/// <summary>
/// Copies of every parameter and buffer of a model, written back by <see cref="Restore"/> with <c>copy_</c> (the same
/// tensors, so hooks and optimizers holding them stay valid), bit for bit.
/// </summary>
internal sealed class ParameterSnapshot : IDisposable
{
    private readonly List<(Tensor Live, Tensor Copy)> _entries;
    private readonly nn.Module _model;

    public ParameterSnapshot(nn.Module model)
    {
        _model = model;
        using var _ = no_grad();
        _entries = model.parameters().Concat(model.buffers()).Select(t => (t, t.detach().clone())).ToList();
    }

    /// <summary>Writes every saved value back.</summary>
    public void Restore()
    {
        using var _ = no_grad();
        foreach (var (live, copy) in _entries) live.copy_(copy);
        (_model as Models.VisionModel)?.MarkWeightsChanged();
    }

    public void Dispose()
    {
        foreach (var (_, copy) in _entries) copy.Dispose();
    }
}
