using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Targets;

/// <summary>
/// What an explanation explains: a differentiable scalar computed from one image's model output (a class score, a
/// box score, a mask region's score). Task adapters change the target, never the explainer.
/// </summary>
public interface IExplanationTarget
{
    /// <summary>The scalar to explain, from one image's output (no batch dimension).</summary>
    Tensor Score(Tensor output);

    /// <summary>Class index this target stands for, when it has one (used for labels and probabilities).</summary>
    int? ClassIndex { get; }
}
