using AutoTimm.Models;
using AutoTimm.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoTimm.Training;

/// <summary>Runs a classifier over a data set in eval mode and reports accuracy and the confusion matrix.</summary>
public static class ClassificationEvaluator
{
    /// <summary>Evaluates <paramref name="model"/> on every batch of <paramref name="data"/> (epoch 0 order).</summary>
    /// <param name="model">The classifier.</param>
    /// <param name="data">Batches to evaluate.</param>
    /// <param name="progress">Receives batches done; silent when null.</param>
    /// <param name="stage">Name of the stage in progress reports.</param>
    public static ClassificationReport Evaluate(ImageClassifier model, IBatchSource data, IProgress<WorkProgress>? progress = null, string stage = "evaluate")
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        int k = model.NumClasses;
        var confusion = new long[k, k];
        double lossSum = 0;
        int count = 0, batches = 0;
        using (new EvalModeScope(model))
        {
            using var _ = inference_mode();
            foreach (var batch in data.Batches(0))
            {
                using (batch)
                using (var scope = NewDisposeScope())
                {
                    var logits = model.call(batch.Images.to(model.Device)).to(CPU);
                    lossSum += nn.functional.cross_entropy(logits, batch.Targets, reduction: nn.Reduction.Sum).item<float>();
                    var predicted = logits.argmax(1).CopyToArray<long>();
                    var labels = batch.Targets.CopyToArray<long>();
                    for (int i = 0; i < labels.Length; i++)
                    {
                        if (labels[i] < 0 || labels[i] >= k)
                            throw new ArgumentException($"label {labels[i]} is outside the model's {k} classes");
                        confusion[labels[i], predicted[i]]++;
                    }
                    count += labels.Length;
                }
                progress?.Report(new WorkProgress(stage, Math.Min(++batches, Math.Max(1, data.BatchesPerEpoch)), Math.Max(1, data.BatchesPerEpoch)) { Detail = $"{count} images" });
            }
        }
        if (count == 0) throw new ArgumentException("the data set yielded no samples", nameof(data));

        long correct = 0;
        var perClass = new double[k];
        var rows = new IReadOnlyList<long>[k];
        for (int c = 0; c < k; c++)
        {
            long rowTotal = 0;
            var row = new long[k];
            for (int p = 0; p < k; p++) { row[p] = confusion[c, p]; rowTotal += row[p]; }
            correct += confusion[c, c];
            perClass[c] = rowTotal == 0 ? double.NaN : (double)confusion[c, c] / rowTotal;
            rows[c] = row;
        }
        return new ClassificationReport
        {
            Count = count,
            Accuracy = (double)correct / count,
            Loss = lossSum / count,
            PerClassAccuracy = perClass,
            ConfusionMatrix = rows,
        };
    }
}
