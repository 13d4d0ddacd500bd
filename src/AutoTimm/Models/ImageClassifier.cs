using TorchSharp;
using static TorchSharp.torch;

namespace AutoTimm.Models;

/// <summary>
/// An image classifier: a backbone producing features and a head producing class logits. Concrete
/// architectures (ResNet, VisionTransformer) derive from it and keep torchvision/timm parameter names, so a
/// PyTorch state_dict loads by name. <c>backbone.</c>-prefixed layer names resolve to the same modules.
/// </summary>
public abstract class ImageClassifier : VisionModel
{
    /// <summary>Creates the classifier.</summary>
    protected ImageClassifier(string name, ModelConfig config) : base(name, config)
    {
        if (config.Task != ModelTask.ImageClassifier)
            throw new ArgumentException($"an ImageClassifier needs task ImageClassifier, got {config.Task}", nameof(config));
        if (config.NumClasses < 1)
            throw new ArgumentOutOfRangeException(nameof(config), config.NumClasses, "num_classes must be at least 1");
    }

    /// <summary>Number of output classes.</summary>
    public int NumClasses => Config.NumClasses;

    /// <summary>Name of the classification layer's module (<c>fc</c> for a ResNet, <c>head</c> for a ViT).</summary>
    public abstract string ClassifierName { get; }

    /// <summary>Features before the classifier: <c>[N, D]</c> pooled features.</summary>
    public abstract Tensor ForwardFeatures(Tensor input);
}
