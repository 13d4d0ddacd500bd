namespace AutoTimm.Models.Checkpoints;

/// <summary>Options of <see cref="CheckpointReader.Read"/>.</summary>
public sealed record CheckpointReadOptions
{
    /// <summary>Defaults: wrapper prefixes stripped, state dict entry found automatically.</summary>
    public static CheckpointReadOptions Default { get; } = new();

    /// <summary>
    /// Remove a prefix that every key shares when it is a known wrapper (<c>model.</c> from Lightning modules,
    /// <c>module.</c> from DataParallel, <c>_orig_mod.</c> from torch.compile), repeatedly. Never applied to files that
    /// carry AutoTimm metadata. Default true.
    /// </summary>
    public bool StripWrapperPrefixes { get; init; } = true;

    /// <summary>
    /// Top-level entry of a pickled container that holds the tensors. Null (the default) tries <c>state_dict</c>,
    /// <c>model_state_dict</c>, <c>model</c>, <c>module</c>, <c>net</c>, <c>network</c>, <c>state_dict_ema</c>, then
    /// the file's root.
    /// </summary>
    public string? StateDictKey { get; init; }
}
