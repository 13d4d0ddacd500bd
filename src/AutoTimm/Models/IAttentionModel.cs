using static TorchSharp.torch;

namespace AutoTimm.Models;

/// <summary>
/// A transformer whose attention explanations can read: for each block, the module whose output is that block's
/// per-head attention probabilities <c>[N, heads, T, T]</c> (still on the autograd graph), and how its tokens map to
/// the image. Attention rollout, attention flow and transformer attribution work on any model that implements it.
/// </summary>
public interface IAttentionModel
{
    /// <summary>Per block, first to last: the module that outputs the attention probabilities.</summary>
    IReadOnlyList<nn.Module<Tensor, Tensor>> AttentionProbes { get; }

    /// <summary>How the token sequence maps to the patch grid.</summary>
    TokenLayout TokenLayout { get; }

    /// <summary>Index of the class token, or null when the model has none (relevance then goes to every patch).</summary>
    int? ClassTokenIndex { get; }

    /// <summary>
    /// Why this model has no attention to read after all, or null when it has. A model whose architecture is known
    /// only when it loads (an imported graph) implements the interface and says here that it found no attention blocks.
    /// </summary>
    string? AttentionUnavailable => null;
}
