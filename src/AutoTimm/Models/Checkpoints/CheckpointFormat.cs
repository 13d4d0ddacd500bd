namespace AutoTimm.Models.Checkpoints;

/// <summary>File formats recognized by their content (never by extension alone).</summary>
public enum CheckpointFormat
{
    /// <summary>Not a recognized checkpoint format.</summary>
    Unknown,
    /// <summary>A safetensors file (8-byte header length, JSON header, raw data); the native AutoTimm format.</summary>
    Safetensors,
    /// <summary>A zip written by <c>torch.save</c> (<c>.pth</c>, <c>.pt</c>, Lightning <c>.ckpt</c>).</summary>
    TorchZip,
    /// <summary>A pre-1.6 <c>torch.save</c> file (bare pickle stream with torch's magic number); not supported.</summary>
    LegacyTorch,
    /// <summary>A bare pickle stream that is not a torch file; not supported.</summary>
    Pickle,
}
