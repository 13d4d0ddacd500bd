using AutoTimm.Models;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Engine;

/// <summary>Picks the layer a layer-based method hooks: by dotted name, by module reference, or the model's default.</summary>
internal static class LayerSelector
{
    // A model's module tree is fixed once built: a name resolves to the same layer every time, so the walk over the
    // tree (hundreds of modules in a ResNet-50) is done once per model and name.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<VisionModel, System.Collections.Concurrent.ConcurrentDictionary<string, (nn.Module<Tensor, Tensor>, string)>> Known = [];

    public static (nn.Module<Tensor, Tensor> Module, string Name) Resolve(VisionModel model, string? name, nn.Module? module)
    {
        if (module is not null) return Find(model, null, module);
        var byName = Known.GetOrCreateValue(model);
        var key = name ?? model.DefaultTargetLayer;
        if (byName.TryGetValue(key, out var known)) return known;
        var found = Find(model, key, null);
        byName[key] = found;
        return found;
    }

    private static (nn.Module<Tensor, Tensor> Module, string Name) Find(VisionModel model, string? name, nn.Module? module)
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
