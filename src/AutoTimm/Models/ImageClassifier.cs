using AutoTimm.Native;
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

    /// <summary>
    /// Loads a classifier from a native checkpoint, or from PyTorch weights given the architecture (as
    /// <c>ImageClassifier.load_from_checkpoint</c>). See <see cref="ModelCheckpoint.Load"/>.
    /// </summary>
    public static ImageClassifier LoadFromCheckpoint(string path, string? arch = null, int? numClasses = null) =>
        ModelCheckpoint.Load<ImageClassifier>(path, arch, numClasses);

    /// <summary>Number of output classes.</summary>
    public int NumClasses => Config.NumClasses;

    /// <summary>Name of the classification layer's module (<c>fc</c> for a ResNet, <c>head</c> for a ViT).</summary>
    public abstract string ClassifierName { get; }

    /// <summary>Features before the classifier: <c>[N, D]</c> pooled features.</summary>
    public abstract Tensor ForwardFeatures(Tensor input);

    /// <summary>Classifies one image: a file (image or .npy), encoded bytes, a decoded image or a preprocessed tensor.</summary>
    /// <param name="image">The image; preprocessed with this model's configuration unless it already is.</param>
    /// <param name="topK">How many ranked classes the prediction lists.</param>
    public Prediction Predict(Imaging.ImageInput image, int topK = 5)
    {
        ArgumentNullException.ThrowIfNull(image);
        using var input = image.ToModelInput(Config.Preprocess, Device);
        return Predict(input, topK)[0];
    }

    /// <summary>Classifies a batch of preprocessed inputs <c>[N,3,H,W]</c> in eval mode, without autograd.</summary>
    /// <param name="input">Model input, already preprocessed.</param>
    /// <param name="topK">How many ranked classes each prediction lists.</param>
    public IReadOnlyList<Prediction> Predict(Tensor input, int topK = 5)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentOutOfRangeException.ThrowIfLessThan(topK, 1);
        if (input.dim() == 3) input = input.unsqueeze(0);
        using var mode = new EvalModeScope(this);
        {
            using var _ = inference_mode();
            using var scope = NewDisposeScope();
            var logits = call(input.to(Device)).to(ScalarType.Float32, CPU);
            if (!Imaging.FiniteCheck.All(logits))
            {
                // Say which: a NaN/Inf in the input, or a finite input so large that the network overflowed.
                if (!Imaging.FiniteCheck.All(input))
                    throw new InvalidOperationException($"{Config.Arch} produced non-finite logits: the input contains NaN or Inf values");
                var largest = input.abs().max().item<float>().ToString("G3", System.Globalization.CultureInfo.InvariantCulture);
                throw new InvalidOperationException(
                    $"{Config.Arch} produced non-finite logits from a finite input whose values reach {largest}: the network overflowed float32; a preprocessed input lies within a few units of 0");
            }
            var probabilities = logits.softmax(1);
            int n = (int)logits.shape[0], k = Math.Min(topK, NumClasses);
            var result = new List<Prediction>(n);
            for (int i = 0; i < n; i++)
            {
                var row = logits[i].CopyToArray<float>();
                var probs = probabilities[i].CopyToArray<float>();
                var ranked = Enumerable.Range(0, probs.Length).OrderByDescending(c => probs[c]).ThenBy(c => c).Take(k)
                    .Select(c => new ClassScore(c, Config.LabelOf(c), probs[c])).ToArray();
                result.Add(new Prediction
                {
                    PredictedClass = ranked[0].Class,
                    Label = ranked[0].Label,
                    Confidence = ranked[0].Probability,
                    TopK = ranked,
                    Logits = row,
                    Probabilities = probs,
                });
            }
            return result;
        }
    }
}
