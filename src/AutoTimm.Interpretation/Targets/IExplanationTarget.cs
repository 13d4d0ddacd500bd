using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Targets;

/// <summary>
/// What an explanation explains: a differentiable scalar computed from one image's model output (a class score, a
/// box score, a mask region's score). Every method takes targets; a task adapter changes the target, never the
/// method. A result carries the target it explained.
/// </summary>
public interface IExplanationTarget
{
    /// <summary>The scalar to explain, from one image's output (no batch dimension).</summary>
    Tensor Score(Tensor output);

    /// <summary>Class index this target stands for, when it has one (used for labels and probabilities).</summary>
    int? ClassIndex { get; }

    /// <summary>How figures name the target, e.g. <c>Sneaker</c> or <c>box 2: Bag</c>.</summary>
    string Describe(Func<int, string> labelOf);
}
