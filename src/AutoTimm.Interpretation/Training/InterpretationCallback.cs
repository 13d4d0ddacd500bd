using AutoTimm.Imaging;
using AutoTimm.Interpretation.Engine;
using AutoTimm.Interpretation.Visualization;
using AutoTimm.Training;

namespace AutoTimm.Interpretation.Training;

/// <summary>
/// Explains a few fixed sample images while a model trains and logs the overlays: as TensorBoard images, and as PNG
/// artifacts the CSV logger lists, every <see cref="LogEveryNEpochs"/> epochs (and every
/// <see cref="LogEveryNSteps"/> optimizer steps when set). Each sample is explained for its true label when one is
/// given, else for the model's prediction; a text record says which.
/// </summary>
public sealed class InterpretationCallback : ITrainerCallback
{
    private readonly IReadOnlyList<ImageInput> _samples;
    private readonly IReadOnlyList<int?> _labels;

    /// <param name="sampleImages">The images to explain, the same ones every time.</param>
    /// <param name="method">The explanation method (any registered id: gradcam, integrated_gradients, ...).</param>
    /// <param name="logEveryNEpochs">Explain after every this many epochs; 0 for never.</param>
    /// <param name="logEveryNSteps">Also explain after every this many optimizer steps; null for never.</param>
    /// <param name="numSamples">How many of the images to explain.</param>
    /// <param name="colormap">The heatmap colormap.</param>
    /// <param name="labels">True labels of the images (null entries: use the prediction); null for none.</param>
    /// <param name="alpha">Heatmap opacity in the overlay.</param>
    public InterpretationCallback(IReadOnlyList<ImageInput> sampleImages, string method = "gradcam", int logEveryNEpochs = 1, int? logEveryNSteps = null,
        int numSamples = 8, string colormap = Colormaps.Default, IReadOnlyList<int?>? labels = null, double alpha = 0.4)
    {
        ArgumentNullException.ThrowIfNull(sampleImages);
        if (sampleImages.Count == 0) throw new ArgumentException("no sample images to explain", nameof(sampleImages));
        ArgumentOutOfRangeException.ThrowIfNegative(logEveryNEpochs);
        if (logEveryNSteps is < 1) throw new ArgumentOutOfRangeException(nameof(logEveryNSteps), logEveryNSteps, "log every N steps needs N of at least 1");
        ArgumentOutOfRangeException.ThrowIfLessThan(numSamples, 1);
        if (labels is not null && labels.Count != sampleImages.Count)
            throw new ArgumentException($"{labels.Count} labels for {sampleImages.Count} sample images", nameof(labels));
        Method = MethodRegistry.Get(method).Id;
        Colormaps.Get(colormap);
        _samples = sampleImages.Take(numSamples).ToList();
        _labels = labels?.Take(numSamples).ToList() ?? _samples.Select(_ => (int?)null).ToList();
        LogEveryNEpochs = logEveryNEpochs;
        LogEveryNSteps = logEveryNSteps;
        Colormap = colormap;
        Alpha = alpha;
    }

    /// <summary>The method's registered id.</summary>
    public string Method { get; }

    /// <summary>Explain after every this many epochs (0: never).</summary>
    public int LogEveryNEpochs { get; }

    /// <summary>Also explain after every this many optimizer steps (null: never).</summary>
    public int? LogEveryNSteps { get; }

    /// <summary>The heatmap colormap.</summary>
    public string Colormap { get; }

    /// <summary>Heatmap opacity in the overlay.</summary>
    public double Alpha { get; }

    /// <summary>How many times the samples were explained and logged.</summary>
    public int Logged { get; private set; }

    /// <inheritdoc/>
    public void OnBatchEnd(TrainerContext context, TrainingBatch batch, double loss)
    {
        if (LogEveryNSteps is { } n && context.GlobalStep % n == 0) Log(context);
    }

    /// <inheritdoc/>
    public void OnEpochEnd(TrainerContext context)
    {
        if (LogEveryNEpochs > 0 && (context.Epoch + 1) % LogEveryNEpochs == 0) Log(context);
    }

    private void Log(TrainerContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var model = context.Model;
        for (int i = 0; i < _samples.Count; i++)
        {
            // Explain sets eval mode for the call and restores the training mode; gradients go through autograd.grad,
            // so the parameters' .grad of the next step are untouched.
            var result = Explain.Prediction(model, _samples[i], Method, targetClass: _labels[i], colormap: Colormap, alpha: Alpha);
            var display = _samples[i].ToDisplayImage(model.Config.Preprocess);
            var overlay = Overlay.Heatmap(display, result.Heatmap!, Alpha, Colormap);
            using var image = overlay.ToTensor();
            var tag = $"interpretation/{Method}/sample{i}";
            context.Logger.LogImage(tag, image, context.GlobalStep);
            var explained = _labels[i] is { } label ? $"true label {model.Config.LabelOf(label)}" : "the prediction";
            context.Logger.LogText(tag, $"epoch {context.Epoch + 1}: predicted {result.PredictedLabel}; explained {explained}", context.GlobalStep);
        }
        context.Logger.Flush();
        Logged++;
    }
}
