using AutoTimm.Interpretation.Methods;
using AutoTimm.Models;

namespace AutoTimm.Interpretation.Engine;

/// <summary>
/// One explanation method as the registry knows it: its id and aliases, the name figures show, whether it applies to
/// a model (and why not), its options record type, and how to create it.
/// </summary>
/// <param name="Id">Canonical id, as the CLI and result keys spell it (<c>gradcam</c>).</param>
/// <param name="DisplayName">Name on figures and reports (<c>Grad-CAM</c>).</param>
/// <param name="OptionsType">The options record the method reads from <see cref="ExplanationOptions"/>.</param>
/// <param name="Create">Makes the explainer for a model and options.</param>
public sealed record MethodDescriptor(string Id, string DisplayName, Type OptionsType, Func<VisionModel, ExplanationOptions, Explainer> Create)
{
    /// <summary>Other names accepted for the method (<c>gradcam++</c>).</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    /// <summary>Why the method does not apply to a model, or null when it does.</summary>
    public Func<VisionModel, string?> NotApplicableBecause { get; init; } = _ => null;

    /// <summary>Whether a run that names no methods includes this one.</summary>
    public bool RunsByDefault { get; init; } = true;

    /// <summary>One line on what the method computes, for help texts.</summary>
    public string Summary { get; init; } = "";

    /// <summary>
    /// Creates the explainer and records what it was created from: this id and the options records its factory read
    /// (a SmoothGrad's include its base method's). The explanation cache keys results by it, so changing one method's
    /// options leaves the other methods' results valid.
    /// </summary>
    internal Explainer Instantiate(VisionModel model, ExplanationOptions options)
    {
        var reads = new HashSet<Type>();
        var explainer = Create(model, options.Tracking(reads));
        explainer.Configuration = $"{Id}|{options.Fingerprint(reads)}";
        return explainer;
    }
}
