namespace AutoTimm.Models.Checkpoints;

/// <summary>
/// Reads any supported checkpoint: native AutoTimm or plain <c>.safetensors</c>, <c>torch.save</c> zips
/// (<c>.pth</c>/<c>.pt</c>) and Lightning <c>.ckpt</c> files. The format is detected from the content, not the extension.
/// </summary>
public static class CheckpointReader
{
    /// <summary>torch's legacy magic number 0x1950a86a20f9469cfc6c, pickled as LONG1 right after PROTO 2.</summary>
    private static readonly byte[] LegacyTorchMagic = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];

    /// <summary>Identifies a file's format from its first bytes.</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static CheckpointFormat DetectFormat(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = SafetensorsFile.OpenRead(path);
        Span<byte> head = stackalloc byte[16];
        var count = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        return Detect(head[..count]);
    }

    /// <summary>Reads a checkpoint's tensors (on the CPU) and, for native files, its model config.</summary>
    /// <param name="path">The file.</param>
    /// <param name="options">Reading options; <see cref="CheckpointReadOptions.Default"/> when null.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="UnsafeCheckpointException">A pickle references a refused global; nothing was executed.</exception>
    /// <exception cref="CheckpointFormatException">The file is corrupt, legacy, or not a checkpoint.</exception>
    public static Checkpoint Read(string path, CheckpointReadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= CheckpointReadOptions.Default;
        var format = DetectFormat(path);
        var checkpoint = format switch
        {
            CheckpointFormat.Safetensors => SafetensorsFile.Read(path),
            CheckpointFormat.TorchZip => TorchZipReader.Read(path, options),
            CheckpointFormat.LegacyTorch => throw new CheckpointFormatException(
                $"'{path}' uses torch's legacy serialization; re-save it with torch.save(..., _use_new_zipfile_serialization=True) (the default since PyTorch 1.6) or as .safetensors."),
            CheckpointFormat.Pickle => throw new CheckpointFormatException(
                $"'{path}' is a bare pickle stream, not a torch.save zip or safetensors file; re-save the state dict with torch.save or as .safetensors."),
            _ => throw new CheckpointFormatException(
                $"'{path}' is not a recognized checkpoint (expected safetensors, a torch.save zip or a Lightning .ckpt); it starts with {FirstBytes(path)}."),
        };
        if (checkpoint.Config is not null || !options.StripWrapperPrefixes) return checkpoint;
        try
        {
            var stripped = WrapperPrefix.Strip(checkpoint.StateDict);
            if (stripped is null) return checkpoint;
            return new Checkpoint(checkpoint.Path, checkpoint.Format, checkpoint.TakeStateDict(), checkpoint.Config, checkpoint.Metadata,
                checkpoint.StateDictEntry, stripped, checkpoint.OtherEntries, checkpoint.HyperParameters);
        }
        catch
        {
            checkpoint.Dispose();
            throw;
        }
    }

    internal static CheckpointFormat Detect(ReadOnlySpan<byte> head)
    {
        if (head.Length >= 4 && head[0] == (byte)'P' && head[1] == (byte)'K' && head[2] is 3 or 5 && head[3] is 4 or 6) return CheckpointFormat.TorchZip;
        if (head.StartsWith(LegacyTorchMagic)) return CheckpointFormat.LegacyTorch;
        // The header's JSON object opens at byte 8; its length is validated by the safetensors reader.
        if (head.Length >= 9 && head[8] == (byte)'{') return CheckpointFormat.Safetensors;
        if (head.Length >= 2 && head[0] == 0x80 && head[1] <= 5) return CheckpointFormat.Pickle;
        return CheckpointFormat.Unknown;
    }

    private static string FirstBytes(string path)
    {
        using var stream = SafetensorsFile.OpenRead(path);
        Span<byte> head = stackalloc byte[8];
        var count = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        return count == 0 ? "nothing (empty file)" : $"bytes {Convert.ToHexString(head[..count])}";
    }
}
