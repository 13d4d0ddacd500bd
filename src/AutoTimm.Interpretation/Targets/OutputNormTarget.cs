using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Targets;

/// <summary>
/// The L2 norm of one image's whole output vector: what an embedding model or featurizer (whose outputs are features,
/// not classes) responds to overall. A single feature is a <see cref="ClassTarget"/> on its index.
/// </summary>
public sealed record OutputNormTarget : IExplanationTarget
{
    /// <inheritdoc/>
    public int? ClassIndex => null;

    /// <inheritdoc/>
    public Tensor Score(Tensor output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (output.dim() != 1) throw new ArgumentException($"an output-norm target reads one image's output vector [K]; this output is [{string.Join(",", output.shape)}]");
        return output.norm();
    }

    /// <inheritdoc/>
    public string Describe(Func<int, string> labelOf) => "output norm";
}
