using System.IO.Compression;
using System.IO.Hashing;
using System.Text;
using TorchSharp;

namespace AutoTimm.Models.Checkpoints;

/// <summary>
/// Reads the zip format of <c>torch.save</c> (<c>.pth</c>, <c>.pt</c>, Lightning <c>.ckpt</c>): <c>&lt;archive&gt;/data.pkl</c>
/// decoded by <see cref="RestrictedUnpickler"/>, storages from <c>&lt;archive&gt;/data/&lt;key&gt;</c>.
/// </summary>
/// <remarks>
/// The tensors come from one dict: the file's root, or a container entry such as <c>state_dict</c> or <c>model</c>.
/// Inside it only tensors are accepted; a foreign object there is refused. Outside it, foreign objects (an
/// <c>argparse.Namespace</c> among the hyper-parameters, optimizer states, callbacks) stay inert placeholders and are
/// neither refused nor read, and no storage outside the state dict is ever loaded. The plain values of a Lightning
/// <c>hyper_parameters</c> dict are kept (<see cref="LightningHyperParameters"/>). Denied globals are refused anywhere.
/// </remarks>
internal static class TorchZipReader
{
    /// <summary>Container entries that hold a model's state dict, in the order they are tried.</summary>
    public static readonly string[] StateDictEntries = ["state_dict", "model_state_dict", "model", "module", "net", "network", "state_dict_ema"];

    private const long MaxPickleBytes = 1L << 30;
    private const long MaxDeflateRatio = 1032;

    public static Checkpoint Read(string path, CheckpointReadOptions options)
    {
        using var stream = SafetensorsFile.OpenRead(path);
        try
        {
            using var archive = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
            return Read(archive, stream.Length, path, options);
        }
        catch (Exception e) when (e is not (CheckpointException or OutOfMemoryException or OperationCanceledException))
        {
            throw new CheckpointFormatException($"Corrupt or unreadable torch.save zip '{path}': {e.Message}", e);
        }
    }

    private static Checkpoint Read(ZipArchive archive, long fileLength, string path, CheckpointReadOptions options)
    {
        var entries = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
        foreach (var entry in archive.Entries)
        {
            if (!entries.TryAdd(entry.FullName, entry)) throw Error(path, $"the zip holds two entries named '{entry.FullName}'");
        }
        var prefix = FindArchivePrefix(entries, path);
        CheckByteOrder(entries, prefix, path);

        var pickleName = prefix + "data.pkl";
        var pickle = ReadSmallEntry(entries[pickleName], MaxPickleBytes, path);
        var unpickler = new RestrictedUnpickler(pickle, $"{path}:{pickleName}");
        var root = unpickler.Load();
        var (tensors, entryName, others) = SelectStateDict(root, path, options.StateDictKey);

        var dict = new StateDict();
        try
        {
            using var scope = torch.NewDisposeScope();
            var storages = new Dictionary<string, torch.Tensor>(StringComparer.Ordinal);
            foreach (var (name, reference) in tensors)
            {
                if (!storages.TryGetValue(reference.Storage.Key, out var storage))
                {
                    storage = LoadStorage(entries, prefix, reference.Storage, fileLength, path, options.MaxDeflatedEntryBytes);
                    storages.Add(reference.Storage.Key, storage);
                }
                dict.Add(name, View(storage, reference));
            }
            return new Checkpoint(path, CheckpointFormat.TorchZip, dict, null, new Dictionary<string, string>(), entryName, null, others,
                LightningHyperParameters.Extract(root));
        }
        catch
        {
            dict.Dispose();
            throw;
        }
    }

    /// <summary>The archive folder (<c>archive/</c> in torch 2.x, the file stem in 1.x) that holds <c>data.pkl</c>.</summary>
    private static string FindArchivePrefix(Dictionary<string, ZipArchiveEntry> entries, string path)
    {
        var pickles = entries.Keys.Where(n => n.EndsWith("/data.pkl", StringComparison.Ordinal) && n.IndexOf('/') == n.Length - "/data.pkl".Length).ToList();
        if (pickles.Count == 1) return pickles[0][..^"data.pkl".Length];
        if (pickles.Count > 1) throw Error(path, $"the zip holds {pickles.Count} data.pkl entries ({string.Join(", ", pickles.Take(3))})");
        if (entries.Keys.Any(n => n.EndsWith("/constants.pkl", StringComparison.Ordinal) || n.Contains("/code/", StringComparison.Ordinal)))
        {
            throw Error(path, "it is a TorchScript archive (torch.jit.save), which holds code as well as weights; " +
                "in PyTorch, save model.state_dict() with torch.save or as .safetensors and load that");
        }
        throw Error(path, "the zip has no <archive>/data.pkl entry, so it was not written by torch.save");
    }

    private static void CheckByteOrder(Dictionary<string, ZipArchiveEntry> entries, string prefix, string path)
    {
        if (!entries.TryGetValue(prefix + "byteorder", out var entry)) return; // written since torch 2.0; before, always little
        var order = Encoding.ASCII.GetString(ReadSmallEntry(entry, 64, path)).Trim();
        if (order == "little") return;
        throw Error(path, order == "big"
            ? "it was saved on a big-endian machine; re-save it on a little-endian one"
            : $"its byteorder entry says '{order}'");
    }

    private static (List<(string Name, TorchTensorReference Tensor)> Tensors, string? Entry, IReadOnlyList<string> Others) SelectStateDict(
        object? root, string path, string? requestedKey)
    {
        if (root is PickledObject pickled)
        {
            throw new UnsafeCheckpointException(pickled.TypeName,
                $"Refused to load '{path}': it holds a pickled {pickled.TypeName} object, not a state dict (a whole model saved with torch.save(model)?). " +
                "Nothing was executed; in PyTorch, save model.state_dict() instead.");
        }
        if (root is not PickleDict dict) throw Error(path, $"its top-level object is {Describe(root)}, not a dict of tensors");

        PickleDict selected = dict;
        string? entryName = null;
        if (requestedKey is not null)
        {
            if (!dict.TryGet(requestedKey, out var value)) throw Error(path, $"it has no top-level entry '{requestedKey}' (entries: {TopLevelNames(dict)})");
            selected = value as PickleDict ?? throw Error(path, $"its entry '{requestedKey}' is {Describe(value)}, not a dict of tensors");
            entryName = requestedKey;
        }
        else
        {
            foreach (var key in StateDictEntries)
            {
                if (dict.TryGet(key, out var value) && value is PickleDict inner)
                {
                    selected = inner;
                    entryName = key;
                    break;
                }
            }
        }

        var where = entryName is null ? "" : $" in '{entryName}'";
        var tensors = new List<(string, TorchTensorReference)>(selected.Count);
        foreach (var (key, value) in selected.Items)
        {
            if (key is not string name) throw Error(path, $"the state dict{where} has a key {Describe(key)} that is not a string");
            switch (value)
            {
                case TorchTensorReference tensor:
                    tensors.Add((name, tensor));
                    break;
                case PickledObject foreign:
                    throw new UnsafeCheckpointException(foreign.TypeName,
                        $"Refused to load '{path}': state dict entry '{name}'{where} is a pickled {foreign.TypeName} object; only tensors are accepted there. Nothing was executed.");
                default:
                    throw Error(path, entryName is null && dict.Count > 0 && tensors.Count == 0
                        ? $"entry '{name}' is {Describe(value)}, not a tensor, and no state dict entry ({string.Join(", ", StateDictEntries)}) was found; top-level entries: {TopLevelNames(dict)}"
                        : $"state dict entry '{name}'{where} is {Describe(value)}, not a tensor");
            }
        }
        var others = entryName is null ? [] : dict.Items.Select(kv => kv.Key as string).OfType<string>().Where(k => k != entryName).ToList();
        return (tensors, entryName, others);
    }

    private static torch.Tensor LoadStorage(Dictionary<string, ZipArchiveEntry> entries, string prefix, TorchStorageReference storage, long fileLength, string path,
        long maxDeflated)
    {
        if (storage.Type is not { } type)
            throw Error(path, $"storage '{storage.Key}' is torch.{storage.StorageType}, whose element type is not supported (supported: {string.Join(", ", TensorDTypes.Codes)})");
        var name = $"{prefix}data/{storage.Key}";
        if (!entries.TryGetValue(name, out var entry)) throw Error(path, $"storage entry '{name}' is missing");
        long needed;
        try
        {
            needed = checked(storage.Numel * storage.ElementSize);
        }
        catch (OverflowException)
        {
            throw Error(path, $"storage '{storage.Key}' claims {storage.Numel} elements");
        }
        if (entry.Length != needed)
            throw Error(path, $"storage entry '{name}' has {entry.Length} bytes but torch.{storage.StorageType}[{storage.Numel}] is {needed}");
        if (entry.CompressedLength > fileLength)
            throw Error(path, $"storage entry '{name}' claims {entry.CompressedLength} compressed bytes in a file of {fileLength}");
        var stored = entry.CompressedLength == entry.Length;
        if (needed > (stored ? fileLength : entry.CompressedLength * MaxDeflateRatio))
            throw Error(path, $"storage entry '{name}' claims {needed} bytes, more than the file can hold");
        if (!stored && needed > maxDeflated)
            throw Error(path, $"compressed storage entry '{name}' expands to {needed:N0} bytes, over the {maxDeflated:N0}-byte limit for compressed entries (CheckpointReadOptions.MaxDeflatedEntryBytes); torch.save writes entries uncompressed");
        using var data = entry.Open();
        torch.Tensor tensor;
        var checksum = new Crc32();
        try
        {
            tensor = TensorBytes.Read(data, type, storage.ElementSize, storage.Numel, checksum);
        }
        catch (EndOfStreamException e)
        {
            throw new CheckpointFormatException($"Invalid torch.save file '{path}': storage entry '{name}' is truncated.", e);
        }
        catch (CheckpointFormatException e)
        {
            throw new CheckpointFormatException($"Invalid torch.save file '{path}': storage entry '{name}': {e.Message}", e);
        }
        if (checksum.GetCurrentHashAsUInt32() == entry.Crc32) return tensor;
        tensor.Dispose();
        throw ChecksumError(path, entry, checksum.GetCurrentHashAsUInt32());
    }

    /// <summary>The zip records a CRC-32 of every entry; data that does not match it was altered after saving.</summary>
    private static CheckpointFormatException ChecksumError(string path, ZipArchiveEntry entry, uint actual) =>
        Error(path, $"entry '{entry.FullName}' does not match its recorded CRC-32 (recorded {entry.Crc32:x8}, data {actual:x8}): the file was damaged or altered after it was saved");

    /// <summary>The tensor's view of its storage, as a compact tensor unless it already spans the whole storage.</summary>
    private static torch.Tensor View(torch.Tensor storage, TorchTensorReference reference)
    {
        var view = storage.as_strided(reference.Size, reference.Stride, reference.Offset);
        if (reference.Offset == 0 && view.numel() == storage.numel() && view.is_contiguous()) return view;
        return view.is_contiguous() ? view.clone() : view.contiguous();
    }

    private static byte[] ReadSmallEntry(ZipArchiveEntry entry, long limit, string path)
    {
        if (entry.Length > limit) throw Error(path, $"entry '{entry.FullName}' is {entry.Length} bytes, over the {limit}-byte limit");
        using var data = entry.Open();
        using var buffer = new MemoryStream((int)Math.Min(entry.Length, 1 << 24)); // the declared length may lie
        var chunk = new byte[81920];
        int read;
        while ((read = data.Read(chunk)) > 0)
        {
            if (buffer.Length + read > limit) throw Error(path, $"entry '{entry.FullName}' is over the {limit}-byte limit");
            buffer.Write(chunk, 0, read);
        }
        var bytes = buffer.ToArray();
        var crc = Crc32.HashToUInt32(bytes);
        return crc == entry.Crc32 ? bytes : throw ChecksumError(path, entry, crc);
    }

    private static string TopLevelNames(PickleDict dict) =>
        string.Join(", ", dict.Items.Take(12).Select(kv => kv.Key is string s ? $"'{s}'" : Describe(kv.Key)));

    private static string Describe(object? value) => value switch
    {
        null => "None",
        string => "a string",
        long or double or bool or System.Numerics.BigInteger => $"the number {value}",
        PickleTuple t => $"a tuple of {t.Count}",
        List<object?> l => $"a list of {l.Count}",
        PickleDict d => $"a dict of {d.Count} entries",
        PickledObject o => $"a pickled {o.TypeName} object",
        PickleGlobal g => $"the global {g.FullName}",
        TorchTensorReference => "a tensor",
        _ => $"a {value.GetType().Name}",
    };

    private static CheckpointFormatException Error(string path, string problem) => new($"Invalid torch.save file '{path}': {problem}.");
}
