using static TorchSharp.torch;

namespace AutoTimm.Models;

/// <summary>
/// An object detector: its forward returns dense predictions <c>[N, locations, K + 11]</c> (see
/// <see cref="DenseDetectionLayout"/>), which explanations score directly (a detection's class logit at its location);
/// <see cref="Detect(Tensor, DetectionOptions?)"/> decodes them into boxes, scores and labels.
/// </summary>
public abstract class ObjectDetector : VisionModel
{
    /// <summary>Creates the detector.</summary>
    protected ObjectDetector(string name, ModelConfig config) : base(name, config)
    {
        if (config.Task != ModelTask.ObjectDetector)
            throw new ArgumentException($"an ObjectDetector needs task ObjectDetector, got {config.Task}", nameof(config));
        if (config.NumClasses < 1)
            throw new ArgumentOutOfRangeException(nameof(config), config.NumClasses, "num_classes must be at least 1");
    }

    /// <summary>Loads a detector from a native checkpoint, or from PyTorch weights given the architecture.</summary>
    public static ObjectDetector LoadFromCheckpoint(string path, string? arch = null, int? numClasses = null) =>
        ModelCheckpoint.Load<ObjectDetector>(path, arch, numClasses);

    /// <summary>Number of classes.</summary>
    public int NumClasses => Config.NumClasses;

    /// <summary>Number of pyramid levels.</summary>
    public abstract int LevelCount { get; }

    /// <summary>Dotted name of the module whose output is pyramid level <paramref name="level"/> (0 = highest resolution).</summary>
    public abstract string LevelLayer(int level);

    /// <summary>Detects objects in a batch of preprocessed inputs <c>[N,3,H,W]</c>, in eval mode without autograd.</summary>
    public IReadOnlyList<IReadOnlyList<Detection>> Detect(Tensor input, DetectionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.dim() == 3) input = input.unsqueeze(0);
        CheckInput(input);
        using var mode = new EvalModeScope(this);
        using var _ = inference_mode();
        using var scope = NewDisposeScope();
        var output = call(input.to(Device));
        return Enumerable.Range(0, (int)output.shape[0]).Select(i => DetectionDecoder.Decode(output[i], options)).ToArray();
    }

    /// <summary>Detects objects in one image: a file, encoded bytes, a decoded image or a preprocessed tensor.</summary>
    public IReadOnlyList<Detection> Detect(Imaging.ImageInput image, DetectionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        using var input = image.ToModelInput(Config.Preprocess, Device);
        return Detect(input, options)[0];
    }
}
