using AutoTimm.Interpretation.Targets;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Methods;

/// <summary>What a method computes for a chunk of images, before it becomes <see cref="Heatmap"/>s.</summary>
/// <param name="Maps">Raw saliency at input resolution <c>[N,H,W]</c>.</param>
/// <param name="Output">The model's output on the unperturbed inputs (<c>[N,K]</c> logits for a classifier).</param>
/// <param name="Targets">What was explained for each image.</param>
public sealed record RawExplanation(Tensor Maps, Tensor Output, IReadOnlyList<IExplanationTarget> Targets)
{
    /// <summary>Resolution the map was computed at before upsampling.</summary>
    public (int Height, int Width) NativeResolution { get; init; }

    /// <summary>Dotted layer name for layer methods.</summary>
    public string? Layer { get; init; }

    /// <summary>Per-channel input attributions <c>[N,3,H,W]</c>, for gradient methods.</summary>
    public Tensor? Attributions { get; init; }

    /// <summary>Completeness errors per image <c>[N]</c>, for Integrated Gradients (on the model's device).</summary>
    public Tensor? Deltas { get; init; }
}
