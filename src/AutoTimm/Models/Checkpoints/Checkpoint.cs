namespace AutoTimm.Models.Checkpoints;

/// <summary>
/// What a checkpoint file holds: its tensors, the model metadata when the file is in the native AutoTimm format, and
/// where they came from. Owns its <see cref="StateDict"/> until <see cref="TakeStateDict"/> hands it over.
/// </summary>
public sealed class Checkpoint : IDisposable
{
    private StateDict? _stateDict;

    /// <summary>Creates a checkpoint; it takes ownership of <paramref name="stateDict"/>.</summary>
    /// <param name="path">File the checkpoint was read from.</param>
    /// <param name="format">Detected file format.</param>
    /// <param name="stateDict">The tensors.</param>
    /// <param name="config">Model metadata, when present.</param>
    /// <param name="metadata">Safetensors <c>__metadata__</c> (empty for pickle-based files).</param>
    /// <param name="stateDictEntry">Top-level entry the tensors came from (e.g. <c>state_dict</c>), or null for the root.</param>
    /// <param name="strippedPrefix">Wrapper prefix removed from every key (e.g. <c>model.</c>), or null.</param>
    /// <param name="otherEntries">Other top-level entries of a pickled container, by name (their tensors are never loaded).</param>
    /// <param name="hyperParameters">Plain values of a Lightning <c>hyper_parameters</c> entry; null for none.</param>
    internal Checkpoint(string path, CheckpointFormat format, StateDict stateDict, ModelConfig? config,
        IReadOnlyDictionary<string, string> metadata, string? stateDictEntry, string? strippedPrefix,
        IReadOnlyList<string> otherEntries, IReadOnlyDictionary<string, object>? hyperParameters = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(stateDict);
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentNullException.ThrowIfNull(otherEntries);
        Path = path;
        Format = format;
        _stateDict = stateDict;
        Config = config;
        Metadata = metadata;
        StateDictEntry = stateDictEntry;
        StrippedPrefix = strippedPrefix;
        OtherEntries = otherEntries;
        HyperParameters = hyperParameters ?? new Dictionary<string, object>();
    }

    /// <summary>File the checkpoint was read from.</summary>
    public string Path { get; }

    /// <summary>Detected file format.</summary>
    public CheckpointFormat Format { get; }

    /// <summary>The tensors, owned by this checkpoint.</summary>
    /// <exception cref="InvalidOperationException">The state dict was taken with <see cref="TakeStateDict"/>.</exception>
    public StateDict StateDict => _stateDict ?? throw new InvalidOperationException("The state dict was taken from this checkpoint.");

    /// <summary>Model metadata from <c>__metadata__["autotimm"]</c>, or null when the file does not carry it.</summary>
    public ModelConfig? Config { get; }

    /// <summary>The safetensors <c>__metadata__</c> strings (empty for pickle-based files).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Top-level entry the tensors came from (<c>state_dict</c>, <c>model</c>, ...), or null when the file is the state dict itself.</summary>
    public string? StateDictEntry { get; }

    /// <summary>Wrapper prefix removed from every key (such as <c>model.</c> or <c>module.</c>), or null.</summary>
    public string? StrippedPrefix { get; }

    /// <summary>Names of the other top-level entries of a pickled container (epoch, hyper_parameters, ...).</summary>
    public IReadOnlyList<string> OtherEntries { get; }

    /// <summary>
    /// The plain values (string, long, double or bool) of a Lightning checkpoint's <c>hyper_parameters</c> entry, such
    /// as <c>backbone</c> and <c>num_classes</c>; nested dicts appear under dotted keys. Empty for other files.
    /// </summary>
    public IReadOnlyDictionary<string, object> HyperParameters { get; }

    /// <summary>Hands the state dict over to the caller, who then owns and disposes it.</summary>
    public StateDict TakeStateDict()
    {
        var dict = StateDict;
        _stateDict = null;
        return dict;
    }

    /// <summary>Disposes the tensors unless they were taken.</summary>
    public void Dispose()
    {
        _stateDict?.Dispose();
        _stateDict = null;
    }
}
