using AutoTimm.Models.Checkpoints;

namespace AutoTimm.Models;

/// <summary>
/// Saves and loads models of every task: the native single-file <c>.safetensors</c> with AutoTimm metadata, and
/// imports of PyTorch weights (torchvision/timm <c>.safetensors</c>, <c>torch.save</c> state_dicts, Lightning
/// <c>.ckpt</c>) by parameter name.
/// </summary>
public static class ModelCheckpoint
{
    /// <summary>Writes weights and configuration to <paramref name="path"/> atomically.</summary>
    /// <param name="model">Model to save.</param>
    /// <param name="path">Target <c>.safetensors</c> file.</param>
    /// <param name="extraMetadata">More string metadata to store beside the configuration (e.g. training metrics).</param>
    public static void Save(VisionModel model, string path, IReadOnlyDictionary<string, string>? extraMetadata = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var stateDict = StateDictLoader.FromModule(model);
        CheckpointWriter.Write(path, stateDict, model.Config, extraMetadata);
    }

    /// <summary>Loads weights from <paramref name="path"/> into an existing model of the same architecture (strict).</summary>
    /// <exception cref="CheckpointMismatchException">Missing, unexpected or mis-shaped tensors, by name.</exception>
    public static void LoadInto(VisionModel model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var checkpoint = CheckpointReader.Read(path);
        StateDictLoader.Load(model, checkpoint.StateDict, KeyMap(model), source: path);
    }

    /// <summary>
    /// Loads a model of any task. Native checkpoints carry their task, architecture, classes and preprocessing; plain PyTorch
    /// weights need <paramref name="arch"/> (unless a Lightning checkpoint's hyper-parameters name its backbone), and
    /// <paramref name="numClasses"/> unless the classifier's weight or the hyper-parameters show it.
    /// </summary>
    /// <param name="path">Checkpoint file.</param>
    /// <param name="arch">Architecture name, for files without AutoTimm metadata (overrides nothing in native files).</param>
    /// <param name="numClasses">Number of classes, for files without AutoTimm metadata.</param>
    public static VisionModel Load(string path, string? arch = null, int? numClasses = null)
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
            config = ConfigOfImport(checkpoint, path, arch, numClasses);
        }
        var model = ModelZoo.CreateModel(config);
        try
        {
            StateDictLoader.Load(model, checkpoint.StateDict, KeyMap(model), source: path);
            model.eval();
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Loads a model that must be a <typeparamref name="TModel"/>; the error names the task the file holds.</summary>
    public static TModel Load<TModel>(string path, string? arch = null, int? numClasses = null) where TModel : VisionModel
    {
        var model = Load(path, arch, numClasses);
        if (model is TModel typed) return typed;
        var task = model.Config.Task;
        model.Dispose();
        throw new ArgumentException($"{path} holds a {task} ({model.Config.Arch}), not a {typeof(TModel).Name}");
    }

    /// <summary>
    /// The configuration of a file without AutoTimm metadata: the caller's architecture and class count, else what a
    /// Lightning checkpoint's hyper-parameters say (<c>backbone</c>, as AutoTimm's Python <c>ImageClassifier</c> saves
    /// it); the class count is the caller's, else the classifier weight's rows, else the hyper-parameters'
    /// <c>num_classes</c>.
    /// </summary>
    private static ModelConfig ConfigOfImport(Checkpoint checkpoint, string path, string? arch, int? numClasses)
    {
        var hparams = checkpoint.HyperParameters;
        if (arch is null)
        {
            var trained = LightningHyperParameters.String(hparams, "backbone", "backbone.model_name", "backbone_name", "model_name", "arch");
            if (trained is null)
                throw new ArgumentException(
                    $"{path} has no AutoTimm metadata (a plain {checkpoint.Format} state_dict): give the architecture (--arch) and the number of classes (--num-classes)");
            var name = trained.StartsWith("timm/", StringComparison.Ordinal) ? trained["timm/".Length..] : trained;
            if (!ModelZoo.Architectures.Contains(name, StringComparer.Ordinal))
                throw new ArgumentException(
                    $"{path} was trained with backbone '{trained}' (its hyper_parameters), which the model zoo does not have; " +
                    $"give --arch with one of: {string.Join(", ", ModelZoo.Architectures)}");
            arch = name;
        }
        // The classifier weight is what will be loaded, so its rows win over what the hyper-parameters say.
        var classes = numClasses
            ?? InferNumClasses(checkpoint.StateDict)
            ?? LightningHyperParameters.Int(hparams, "num_classes", "n_classes")
            ?? throw new ArgumentException($"cannot tell the number of classes of {path}: give --num-classes");
        return ModelZoo.ConfigFor(arch, classes);
    }

    /// <summary>
    /// Maps AutoTimm (Python) names onto the torchvision/timm names our models use: <c>backbone.X</c> to <c>X</c>,
    /// <c>head.fc.*</c> to the classifier.
    /// </summary>
    private static Func<string, string?> KeyMap(VisionModel model)
    {
        if (model is not ImageClassifier imageClassifier) return key => key;
        var classifier = imageClassifier.ClassifierName;
        return key =>
        {
            if (key.StartsWith("backbone.", StringComparison.Ordinal)) return key["backbone.".Length..];
            if (key.StartsWith("head.fc.", StringComparison.Ordinal)) return $"{classifier}.{key["head.fc.".Length..]}";
            return key;
        };
    }

    private static int? InferNumClasses(StateDict stateDict)
    {
        foreach (var name in new[] { "fc.weight", "head.weight", "head.fc.weight", "classifier.weight", "head.classification_head.cls_logits.weight", "classifier.4.weight" })
            // Linear classifiers [K, D]; a detector's or segmenter's 1x1/3x3 classifier convolution [K, C, kh, kw].
            if (stateDict.TryGetValue(name, out var weight) && weight.dim() is 2 or 4)
                return (int)weight.shape[0];
        return null;
    }
}
