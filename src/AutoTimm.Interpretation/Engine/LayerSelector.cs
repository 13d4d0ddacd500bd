using AutoTimm.Models;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Engine;

/// <summary>Picks the layer a layer-based method hooks: by dotted name, by module reference, or the model's default.</summary>
internal static class LayerSelector
{
    public static (nn.Module<Tensor, Tensor> Module, string Name) Resolve(VisionModel model, string? name, nn.Module? module)
    {
        nn.Module found;
        string canonical;
        if (module is not null)
        {
            canonical = ModuleLookup.NameOf(model, module);
            found = module;
        }
        else
        {
            canonical = ModuleLookup.Canonical(model, name ?? model.DefaultTargetLayer);
            found = ModuleLookup.Resolve(model, canonical);
        }
        return found is nn.Module<Tensor, Tensor> typed
            ? (typed, canonical)
            : throw new ArgumentException($"layer '{canonical}' ({found.GetType().Name}) is not a tensor-to-tensor module and cannot be hooked");
    }
}
