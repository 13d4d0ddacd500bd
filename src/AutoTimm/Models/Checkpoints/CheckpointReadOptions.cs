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

    /// <summary>
    /// Largest tensor a compressed (deflated) archive entry may expand to, in bytes: 256 MiB by default. torch.save
    /// stores entries uncompressed, so real checkpoints never reach it, while a small hostile file could otherwise
    /// claim gigabytes (deflate expands up to 1032 times). Stored entries are bounded by the file's size instead.
    /// </summary>
    public long MaxDeflatedEntryBytes { get; init; } = 256L << 20;
}
