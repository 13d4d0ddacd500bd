using AutoTimm.Interpretation.Targets;
using AutoTimm.Models;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Engine;

/// <summary>
/// A model's task as explanations see it: how one image's output is summarized, and which target is explained when
/// the caller names none. Detection and segmentation add tasks and targets; no method changes.
/// </summary>
public abstract class ExplanationTask
{
    /// <summary>The task's name, as checkpoints and the CLI spell it.</summary>
    public abstract ModelTask Kind { get; }

    /// <summary>The prediction for one image's output (no batch dimension).</summary>
    public abstract PredictionSummary Summarize(Tensor output);

    /// <summary>What is explained for one image when no target is given.</summary>
    public abstract IExplanationTarget DefaultTarget(Tensor output);

    /// <summary>The task of <paramref name="model"/>, from its configuration.</summary>
    /// <exception cref="NotSupportedException">No task adapter for the model's task yet.</exception>
    public static ExplanationTask For(VisionModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.Config.Task switch
        {
            ModelTask.ImageClassifier => ClassificationTask.Instance,
            ModelTask.ObjectDetector => DetectionTask.Default,
            ModelTask.SemanticSegmentor => SegmentationTask.Instance,
            var task => throw new NotSupportedException($"{model.Config.Arch} is a {task}; explanations of that task are not available in this version"),
        };
    }
}
