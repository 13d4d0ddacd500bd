using TorchSharp;

namespace AutoTimm.Models.Checkpoints;

/// <summary>Copies checkpoint tensors into a module's parameters and buffers by name, and takes them back out.</summary>
public static class StateDictLoader
{
    private const string BatchCounter = "num_batches_tracked";

    /// <summary>
    /// Copies every tensor of <paramref name="stateDict"/> into the module parameter or buffer of the same name
    /// (BatchNorm running statistics and counters included), converting the element type where they differ
    /// (F16/BF16 checkpoints into F32 modules). Runs under no_grad; the module's training mode is not touched.
    /// </summary>
    /// <param name="module">Target module.</param>
    /// <param name="stateDict">Source tensors; not modified.</param>
    /// <param name="keyMap">Maps a checkpoint key to the module's name for it; returning null skips the key.</param>
    /// <param name="strict">When true, any missing, unexpected or mis-shaped tensor throws before anything is copied.</param>
    /// <param name="source">The file the weights came from, named in errors.</param>
    /// <returns>What matched and what did not.</returns>
    /// <remarks>
    /// A module's <c>num_batches_tracked</c> counter absent from the checkpoint is not reported as missing: checkpoints
    /// written before PyTorch 0.4.1 and many timm files omit it, and PyTorch tolerates that too.
    /// </remarks>
    /// <exception cref="CheckpointMismatchException">In strict mode, the checkpoint and module differ; the module is unchanged.</exception>
    /// <exception cref="ArgumentException">The key map sends two checkpoint keys to the same name.</exception>
    public static LoadReport Load(torch.nn.Module module, StateDict stateDict, Func<string, string?>? keyMap = null, bool strict = true, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(stateDict);
        var report = Compare(module, stateDict, keyMap, out var pairs);
        if (strict && !report.IsExactMatch) throw new CheckpointMismatchException(report);
        RequireFinite(stateDict, source);
        using (torch.no_grad())
        {
            foreach (var (target, value) in pairs) target.copy_(value);
        }
        (module as VisionModel)?.MarkWeightsChanged();
        return report;
    }

    /// <summary>
    /// Refuses weights with NaN or Inf before any is copied: such a model predicts NaN for every input, and every verb
    /// (predict, evaluate, interpret, train --init-from) must refuse it the same way instead of reporting numbers.
    /// </summary>
    /// <exception cref="InvalidDataException">A floating-point tensor holds NaN or Inf; the message names it and counts them.</exception>
    public static void RequireFinite(StateDict stateDict, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(stateDict);
        foreach (var name in stateDict.Names)
        {
            var tensor = stateDict[name];
            if (!tensor.is_floating_point()) continue;
            using var finite = tensor.isfinite();
            long bad = tensor.numel() - finite.sum().item<long>();
            if (bad > 0)
                throw new InvalidDataException($"{(source is null ? "" : $"'{source}': ")}checkpoint tensor '{name}' holds {bad} NaN or Inf values of {tensor.numel()}: the model's weights are broken");
        }
    }

    /// <summary>Compares a state dict with a module without copying anything.</summary>
    /// <param name="module">Target module.</param>
    /// <param name="stateDict">Source tensors.</param>
    /// <param name="keyMap">Maps a checkpoint key to the module's name for it; returning null skips the key.</param>
    public static LoadReport Check(torch.nn.Module module, StateDict stateDict, Func<string, string?>? keyMap = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(stateDict);
        return Compare(module, stateDict, keyMap, out _);
    }

    /// <summary>
    /// Copies a module's parameters and persistent buffers into a new state dict, named and ordered as PyTorch's
    /// <c>state_dict()</c> (each module's parameters, then its buffers, then its children). The copies are detached
    /// and stay on the module's device.
    /// </summary>
    /// <param name="module">Source module.</param>
    public static StateDict FromModule(torch.nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        var persistent = module.state_dict();
        var ordered = new List<(string Name, torch.Tensor Tensor)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        Visit(module, "", persistent, ordered, seen);
        foreach (var (name, tensor) in persistent)
        {
            if (seen.Add(name)) ordered.Add((name, tensor));
        }
        var dict = new StateDict();
        try
        {
            using (torch.no_grad())
            {
                foreach (var (name, tensor) in ordered)
                {
                    using var detached = tensor.detach();
                    dict.Add(name, detached.clone());
                }
            }
            return dict;
        }
        catch
        {
            dict.Dispose();
            throw;
        }
    }

    private static void Visit(torch.nn.Module module, string prefix, Dictionary<string, torch.Tensor> persistent,
        List<(string, torch.Tensor)> ordered, HashSet<string> seen)
    {
        foreach (var (name, parameter) in module.named_parameters(recurse: false))
        {
            var full = prefix + name;
            if (persistent.ContainsKey(full) && seen.Add(full)) ordered.Add((full, parameter));
        }
        foreach (var (name, buffer) in module.named_buffers(recurse: false, include_nonpersistent: false))
        {
            var full = prefix + name;
            if (persistent.ContainsKey(full) && seen.Add(full)) ordered.Add((full, buffer));
        }
        foreach (var (name, child) in module.named_children()) Visit(child, $"{prefix}{name}.", persistent, ordered, seen);
    }

    private static LoadReport Compare(torch.nn.Module module, StateDict stateDict, Func<string, string?>? keyMap,
        out List<(torch.Tensor Target, torch.Tensor Source)> pairs)
    {
        var targets = module.state_dict();
        var sourceOf = new Dictionary<string, string>(StringComparer.Ordinal);
        var unexpected = new List<string>();
        var mismatches = new List<ShapeMismatch>();
        var loaded = new List<string>();
        pairs = [];
        foreach (var (key, source) in stateDict)
        {
            var name = keyMap is null ? key : keyMap(key);
            if (name is null) continue;
            if (!sourceOf.TryAdd(name, key))
                throw new ArgumentException($"The key map sends both '{sourceOf[name]}' and '{key}' to '{name}'.", nameof(keyMap));
            if (!targets.TryGetValue(name, out var target))
            {
                unexpected.Add(key);
                continue;
            }
            if (!target.shape.AsSpan().SequenceEqual(source.shape))
            {
                mismatches.Add(new ShapeMismatch(name, target.shape, source.shape));
                continue;
            }
            loaded.Add(name);
            pairs.Add((target, source));
        }
        var missing = targets.Keys
            .Where(n => !sourceOf.ContainsKey(n) && !(n == BatchCounter || n.EndsWith("." + BatchCounter, StringComparison.Ordinal)))
            .ToList();
        return new LoadReport(loaded, missing, unexpected, mismatches);
    }
}
