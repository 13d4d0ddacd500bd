using AutoTimm.Interpretation.Targets;
using AutoTimm.Models;
using AutoTimm.Native;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Engine;

/// <summary>Classification: the output is <c>[K]</c> logits; the default target is the top class.</summary>
public sealed class ClassificationTask : ExplanationTask
{
    /// <summary>The one instance.</summary>
    public static ClassificationTask Instance { get; } = new();

    private ClassificationTask() { }

    /// <inheritdoc/>
    public override ModelTask Kind => ModelTask.ImageClassifier;

    /// <inheritdoc/>
    public override PredictionSummary Summarize(Tensor output)
    {
        ArgumentNullException.ThrowIfNull(output);
        using var scope = NewDisposeScope();
        var probabilities = output.detach().to_type(ScalarType.Float32).softmax(-1).CopyToArray<float>();
        return new ClassPrediction((int)output.argmax().item<long>(), probabilities);
    }

    /// <inheritdoc/>
    public override IExplanationTarget DefaultTarget(Tensor output)
    {
        ArgumentNullException.ThrowIfNull(output);
        return new ClassTarget((int)output.argmax().item<long>());
    }
}
