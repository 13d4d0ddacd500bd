using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Methods;

/// <summary>What a method computes for a chunk of images, before it becomes <see cref="Heatmap"/>s.</summary>
/// <param name="Maps">Raw saliency at input resolution <c>[N,H,W]</c>.</param>
/// <param name="Logits">Model output on the unperturbed inputs <c>[N,K]</c>.</param>
/// <param name="TargetClasses">Class explained for each image (-1 where a target has no class).</param>
internal sealed record RawExplanation(Tensor Maps, Tensor Logits, int[] TargetClasses)
{
    /// <summary>Resolution the map was computed at before upsampling.</summary>
    public (int Height, int Width) NativeResolution { get; init; }

    /// <summary>Dotted layer name for layer methods.</summary>
    public string? Layer { get; init; }

    /// <summary>Per-channel input attributions <c>[N,3,H,W]</c>, for gradient methods.</summary>
    public Tensor? Attributions { get; init; }

    /// <summary>Completeness errors per image, for Integrated Gradients.</summary>
    public double[]? Deltas { get; init; }
}
