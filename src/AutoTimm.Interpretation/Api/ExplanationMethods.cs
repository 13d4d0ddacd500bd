using AutoTimm.Interpretation.Methods;
using AutoTimm.Models;

namespace AutoTimm.Interpretation;

/// <summary>Explanation methods by id, as the CLI and the high-level API name them.</summary>
public static class ExplanationMethods
{
    /// <summary>Canonical method ids.</summary>
    public static IReadOnlyList<string> Ids { get; } =
        ["gradcam", "gradcampp", "integrated_gradients", "smoothgrad", "attention_rollout", "attention_flow", "transformer_attribution"];

    /// <summary>Ids that only apply to Vision Transformers.</summary>
    public static IReadOnlyList<string> AttentionIds { get; } = ["attention_rollout", "attention_flow", "transformer_attribution"];

    /// <summary>The canonical id of a method name or alias (<c>gradcam++</c>, <c>ig</c>, ...).</summary>
    /// <exception cref="ArgumentException">Unknown method; the message lists the known ids.</exception>
    public static string Canonical(string method)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(method);
        var id = method.Trim().ToLowerInvariant().Replace('-', '_') switch
        {
            "gradcam++" or "gradcam_plus_plus" or "gradcamplusplus" => "gradcampp",
            "ig" or "integratedgradients" => "integrated_gradients",
            "smooth_grad" => "smoothgrad",
            "rollout" => "attention_rollout",
            "flow" => "attention_flow",
            var other => other,
        };
        return Ids.Contains(id) ? id : throw new ArgumentException($"unknown method '{method}'; known: {string.Join(", ", Ids)} (aliases: gradcam++, ig)", nameof(method));
    }

    /// <summary>Creates the explainer for a method id on a model.</summary>
    /// <exception cref="NotSupportedException">An attention method on a model without attention, with the reason.</exception>
    public static Explainer Create(string method, VisionModel model, MethodOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var o = options ?? new MethodOptions();
        return Canonical(method) switch
        {
            "gradcam" => new GradCam(model, o.TargetLayer),
            "gradcampp" => new GradCamPlusPlus(model, o.TargetLayer),
            "integrated_gradients" => new IntegratedGradients(model, o.IgBaseline, o.IgSteps, o.IgMethod, o.IgInternalBatchSize, seed: o.Seed),
            "smoothgrad" => Canonical(o.SmoothGradBase) == "smoothgrad"
                ? throw new ArgumentException("SmoothGrad cannot wrap itself; choose another base method")
                : new SmoothGrad(Create(o.SmoothGradBase, model, o), o.SmoothGradNoise, o.SmoothGradSamples, o.Seed),
            "attention_rollout" => new AttentionRollout(model, o.HeadFusion, o.DiscardRatio, o.TargetPatch),
            "attention_flow" => new AttentionFlow(model, o.TargetPatch, o.HeadFusion),
            "transformer_attribution" => new TransformerAttribution(model, o.TargetPatch),
            var id => throw new ArgumentException($"unknown method '{id}'"),
        };
    }
}
