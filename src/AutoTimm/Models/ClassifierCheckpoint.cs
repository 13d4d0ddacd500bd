using AutoTimm.Models.Checkpoints;

namespace AutoTimm.Models;

/// <summary>
/// Saves and loads <see cref="ImageClassifier"/>s: the native single-file <c>.safetensors</c> with AutoTimm metadata,
/// and imports of PyTorch weights (torchvision/timm <c>.safetensors</c>, <c>torch.save</c> state_dicts, Lightning
/// <c>.ckpt</c>) by parameter name.
/// </summary>
public static class ClassifierCheckpoint
{
    /// <summary>Writes weights and configuration to <paramref name="path"/> atomically.</summary>
    /// <param name="model">Model to save.</param>
    /// <param name="path">Target <c>.safetensors</c> file.</param>
    /// <param name="extraMetadata">More string metadata to store beside the configuration (e.g. training metrics).</param>
    public static void Save(ImageClassifier model, string path, IReadOnlyDictionary<string, string>? extraMetadata = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var stateDict = StateDictLoader.FromModule(model);
        CheckpointWriter.Write(path, stateDict, model.Config, extraMetadata);
    }

    /// <summary>Loads weights from <paramref name="path"/> into an existing model of the same architecture (strict).</summary>
    /// <exception cref="CheckpointMismatchException">Missing, unexpected or mis-shaped tensors, by name.</exception>
    public static void LoadInto(ImageClassifier model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var checkpoint = CheckpointReader.Read(path);
        StateDictLoader.Load(model, checkpoint.StateDict, KeyMap(model));
    }

    /// <summary>
    /// Loads a classifier. Native checkpoints carry their architecture, classes and preprocessing; plain PyTorch
    /// weights need <paramref name="arch"/>, and <paramref name="numClasses"/> unless the classifier's weight shows it.
    /// </summary>
    /// <param name="path">Checkpoint file.</param>
    /// <param name="arch">Architecture name, for files without AutoTimm metadata (overrides nothing in native files).</param>
    /// <param name="numClasses">Number of classes, for files without AutoTimm metadata.</param>
    public static ImageClassifier Load(string path, string? arch = null, int? numClasses = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var checkpoint = CheckpointReader.Read(path);
        var config = checkpoint.Config;
        if (config is not null)
        {
            if (arch is not null && arch != config.Arch)
                throw new ArgumentException($"{path} holds a {config.Arch} model, not {arch}");
            if (numClasses is not null && numClasses != config.NumClasses)
                throw new ArgumentException($"{path} holds a model with {config.NumClasses} classes, not {numClasses}");
        }
        else
        {
            if (arch is null)
                throw new ArgumentException(
                    $"{path} has no AutoTimm metadata (a plain {checkpoint.Format} state_dict): give the architecture (--arch) and the number of classes (--num-classes)");
            int classes = numClasses ?? InferNumClasses(checkpoint.StateDict)
                ?? throw new ArgumentException($"cannot tell the number of classes of {path}: give --num-classes");
            config = ModelZoo.Create(arch, classes).Config;
        }
        var model = ModelZoo.Create(config);
        try
        {
            StateDictLoader.Load(model, checkpoint.StateDict, KeyMap(model));
            model.eval();
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Maps AutoTimm (Python) names onto the torchvision/timm names our models use: <c>backbone.X</c> to <c>X</c>,
    /// <c>head.fc.*</c> to the classifier.
    /// </summary>
    private static Func<string, string?> KeyMap(ImageClassifier model)
    {
        var classifier = model.ClassifierName;
        return key =>
        {
            if (key.StartsWith("backbone.", StringComparison.Ordinal)) return key["backbone.".Length..];
            if (key.StartsWith("head.fc.", StringComparison.Ordinal)) return $"{classifier}.{key["head.fc.".Length..]}";
            return key;
        };
    }

    private static int? InferNumClasses(StateDict stateDict)
    {
        foreach (var name in new[] { "fc.weight", "head.weight", "head.fc.weight", "classifier.weight" })
            if (stateDict.TryGetValue(name, out var weight) && weight.dim() == 2)
                return (int)weight.shape[0];
        return null;
    }
}
