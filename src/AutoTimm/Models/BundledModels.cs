namespace AutoTimm.Models;

/// <summary>
/// The small models trained by this project and shipped with it (see <c>assets/models/README.md</c>): they make every
/// command work offline without a checkpoint of the user's.
/// </summary>
public static class BundledModels
{
    /// <summary>File name of the bundled CNN classifier (cluttered Fashion-MNIST canvases).</summary>
    public const string CnnFileName = "fashion_cnn.safetensors";

    /// <summary>File name of the bundled Vision Transformer classifier (cluttered Fashion-MNIST canvases).</summary>
    public const string VitFileName = "fashion_vit.safetensors";

    /// <summary>File name of the bundled FCOS detector (multi-object Fashion-MNIST canvases).</summary>
    public const string DetectorFileName = "fashion_fcos.safetensors";

    /// <summary>File name of the bundled DeepLabV3 segmenter (multi-object Fashion-MNIST canvases).</summary>
    public const string SegmenterFileName = "fashion_deeplabv3.safetensors";

    /// <summary>Path of the bundled CNN, the default classifier.</summary>
    public static string CnnPath => Find(CnnFileName);

    /// <summary>Path of the bundled ViT.</summary>
    public static string VitPath => Find(VitFileName);

    /// <summary>Path of the bundled detector.</summary>
    public static string DetectorPath => Find(DetectorFileName);

    /// <summary>Path of the bundled segmenter.</summary>
    public static string SegmenterPath => Find(SegmenterFileName);

    /// <summary>Path of the bundled default model of a task.</summary>
    public static string PathFor(ModelTask task) => task switch
    {
        ModelTask.ObjectDetector => DetectorPath,
        ModelTask.SemanticSegmentor => SegmenterPath,
        _ => CnnPath,
    };

    /// <summary>
    /// Finds a bundled file: in <c>assets/models</c> beside the application (where builds copy it), else in the
    /// repository's <c>assets/models</c> above the application (when run from a source checkout).
    /// </summary>
    public static string Find(string fileName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(fileName);
        var local = Path.Combine(AppContext.BaseDirectory, "assets", "models", fileName);
        if (File.Exists(local)) return local;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "assets", "models", fileName);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException(
            $"the bundled model {fileName} was not found beside the application or in a repository's assets/models; pass a checkpoint explicitly", fileName);
    }
}
