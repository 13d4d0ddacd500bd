using TorchSharp;

namespace AutoTimm.Models.Checkpoints;

/// <summary>Writes native AutoTimm checkpoints: safetensors with the model config in <c>__metadata__["autotimm"]</c>.</summary>
public static class CheckpointWriter
{
    /// <summary>Writes tensors and model config atomically (a failure leaves any previous file intact).</summary>
    /// <param name="path">Target file (conventionally <c>.safetensors</c>).</param>
    /// <param name="stateDict">The tensors.</param>
    /// <param name="config">The model metadata, stored as JSON under <c>autotimm</c>.</param>
    /// <param name="extraMetadata">More <c>__metadata__</c> strings; must not use the keys <c>autotimm</c> or <c>format</c>.</param>
    public static void Write(string path, StateDict stateDict, ModelConfig config, IReadOnlyDictionary<string, string>? extraMetadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(stateDict);
        ArgumentNullException.ThrowIfNull(config);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["format"] = "pt",
            [SafetensorsFile.ConfigMetadataKey] = ModelConfigJson.ToJson(config),
        };
        foreach (var (key, value) in extraMetadata ?? new Dictionary<string, string>())
        {
            if (!metadata.TryAdd(key, value)) throw new ArgumentException($"Metadata key '{key}' is reserved.", nameof(extraMetadata));
        }
        SafetensorsFile.Write(path, stateDict, metadata);
    }

    /// <summary>Writes a module's parameters and persistent buffers with its model config.</summary>
    /// <param name="path">Target file (conventionally <c>.safetensors</c>).</param>
    /// <param name="module">The model.</param>
    /// <param name="config">The model metadata.</param>
    public static void Write(string path, torch.nn.Module module, ModelConfig config)
    {
        ArgumentNullException.ThrowIfNull(module);
        using var stateDict = StateDictLoader.FromModule(module);
        Write(path, stateDict, config);
    }
}
