using AutoTimm.Imaging;

namespace AutoTimm.Models;

/// <summary>
/// Everything needed to rebuild a model and feed it images the way it was trained. Stored as JSON in
/// a checkpoint's <c>__metadata__["autotimm"]</c> (see ARCHITECTURE.md, "Checkpoints").
/// </summary>
public sealed record ModelConfig
{
    /// <summary>Current metadata format version.</summary>
    public const int CurrentFormatVersion = 1;

    /// <summary>Task of the model.</summary>
    public ModelTask Task { get; init; } = ModelTask.ImageClassifier;

    /// <summary>Architecture name in the model zoo, e.g. <c>resnet18</c> or <c>vit_tiny_patch16_224</c>.</summary>
    public required string Arch { get; init; }

    /// <summary>Number of output classes.</summary>
    public required int NumClasses { get; init; }

    /// <summary>Input preprocessing (size, mean, std, resize policy).</summary>
    public PreprocessConfig Preprocess { get; init; } = PreprocessConfig.ImageNet;

    /// <summary>Optional class names, one per class index.</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>Metadata format version of the file this config came from.</summary>
    public int FormatVersion { get; init; } = CurrentFormatVersion;

    /// <summary>Label of a class index: its name when known, else the index as text.</summary>
    public string LabelOf(int classIndex) =>
        ClassNames is { } names && classIndex >= 0 && classIndex < names.Count ? names[classIndex] : classIndex.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
