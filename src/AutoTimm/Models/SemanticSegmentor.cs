using static TorchSharp.torch;

namespace AutoTimm.Models;

/// <summary>
/// A semantic segmenter: its forward returns per-pixel class logits <c>[N, K, H, W]</c> at the input's resolution
/// (class 0 is the background when the model was trained with one).
/// </summary>
public abstract class SemanticSegmentor : VisionModel
{
    /// <summary>Creates the segmenter.</summary>
    protected SemanticSegmentor(string name, ModelConfig config) : base(name, config)
    {
        if (config.Task != ModelTask.SemanticSegmentor)
            throw new ArgumentException($"a SemanticSegmentor needs task SemanticSegmentor, got {config.Task}", nameof(config));
        if (config.NumClasses < 2)
            throw new ArgumentOutOfRangeException(nameof(config), config.NumClasses, "a segmenter needs at least 2 classes (background and one object class)");
    }

    /// <summary>Loads a segmenter from a native checkpoint, or from PyTorch weights given the architecture.</summary>
    public static SemanticSegmentor LoadFromCheckpoint(string path, string? arch = null, int? numClasses = null) =>
        ModelCheckpoint.Load<SemanticSegmentor>(path, arch, numClasses);

    /// <summary>Number of classes, the background included.</summary>
    public int NumClasses => Config.NumClasses;

    /// <summary>Per-pixel class indices <c>[N, H, W]</c> (int64) for preprocessed inputs, in eval mode without autograd.</summary>
    public Tensor Segment(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.dim() == 3) input = input.unsqueeze(0);
        CheckInput(input);
        using var mode = new EvalModeScope(this);
        using var _ = inference_mode();
        using var scope = NewDisposeScope();
        return call(input.to(Device)).argmax(1).cpu().MoveToOuterDisposeScope();
    }
}
