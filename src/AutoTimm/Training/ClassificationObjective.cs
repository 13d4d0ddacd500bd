using AutoTimm.Models;
using static TorchSharp.torch;

namespace AutoTimm.Training;

/// <summary>Classification: cross-entropy (with optional label smoothing), accuracy.</summary>
/// <param name="LabelSmoothing">Label smoothing of the training loss.</param>
public sealed record ClassificationObjective(double LabelSmoothing = 0) : ITrainingObjective
{
    /// <inheritdoc/>
    public string? TrainMetricName => "train_acc";

    /// <inheritdoc/>
    public Tensor Loss(Tensor output, Tensor targets) => nn.functional.cross_entropy(output, targets, label_smoothing: LabelSmoothing);

    /// <inheritdoc/>
    public long Correct(Tensor output, Tensor targets)
    {
        ArgumentNullException.ThrowIfNull(output);
        return output.argmax(1).eq(targets).sum().item<long>();
    }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, double> Validate(VisionModel model, IBatchSource validation, IProgress<WorkProgress>? progress, string stage)
    {
        var classifier = model as ImageClassifier ?? throw new ArgumentException($"{model?.Config.Arch} is not an image classifier", nameof(model));
        var report = ClassificationEvaluator.Evaluate(classifier, validation, progress, stage);
        return new Dictionary<string, double> { ["val_loss"] = report.Loss, ["val_acc"] = report.Accuracy };
    }
}
