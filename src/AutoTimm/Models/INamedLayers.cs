using static TorchSharp.torch;

namespace AutoTimm.Models;

/// <summary>
/// A model whose layers have names of their own besides their module paths (an ONNX graph's output names, which may
/// hold '.' and '/'): <see cref="ModuleLookup"/> resolves and reports them first.
/// </summary>
public interface INamedLayers
{
    /// <summary>The layer called <paramref name="name"/>, or null.</summary>
    nn.Module? FindLayer(string name);

    /// <summary>The name of <paramref name="layer"/>, or null when it has none of its own.</summary>
    string? LayerName(nn.Module layer);
}
