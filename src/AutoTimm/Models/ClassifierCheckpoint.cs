namespace AutoTimm.Models;

/// <summary>Saves and loads an <see cref="ImageClassifier"/> in the native single-file checkpoint format.</summary>
public static class ClassifierCheckpoint
{
    /// <summary>Writes weights and configuration to <paramref name="path"/> atomically.</summary>
    public static void Save(ImageClassifier model, string path, IReadOnlyDictionary<string, string>? extraMetadata = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        AtomicFile.Write(path, stream => model.save(stream));
    }

    /// <summary>Loads weights from <paramref name="path"/> into an existing model of the same architecture.</summary>
    public static void LoadInto(ImageClassifier model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!File.Exists(path)) throw new FileNotFoundException($"checkpoint not found: {path}", path);
        model.load(path);
    }
}
