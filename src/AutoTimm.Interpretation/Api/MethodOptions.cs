using AutoTimm.Interpretation.Methods;

namespace AutoTimm.Interpretation;

/// <summary>Parameters of the explanation methods, with the spec's defaults; each method reads what concerns it.</summary>
public sealed record MethodOptions
{
    /// <summary>Layer of layer-based methods (dotted name); null picks the model's last spatial feature layer.</summary>
    public string? TargetLayer { get; init; }

    /// <summary>Integrated Gradients path points.</summary>
    public int IgSteps { get; init; } = 50;

    /// <summary>Integrated Gradients baseline.</summary>
    public IgBaseline IgBaseline { get; init; } = IgBaseline.Black;

    /// <summary>Integrated Gradients quadrature.</summary>
    public IntegrationMethod IgMethod { get; init; } = IntegrationMethod.GaussLegendre;

    /// <summary>Path points per forward/backward in Integrated Gradients.</summary>
    public int IgInternalBatchSize { get; init; } = 32;

    /// <summary>SmoothGrad noisy copies per image.</summary>
    public int SmoothGradSamples { get; init; } = 50;

    /// <summary>SmoothGrad noise as a fraction of the input's value range.</summary>
    public double SmoothGradNoise { get; init; } = 0.15;

    /// <summary>Method SmoothGrad averages (any method id but smoothgrad itself).</summary>
    public string SmoothGradBase { get; init; } = "gradcam";

    /// <summary>Head fusion of attention rollout and flow.</summary>
    public HeadFusion HeadFusion { get; init; } = HeadFusion.Mean;

    /// <summary>Share of attention weights rollout discards per block.</summary>
    public double DiscardRatio { get; init; }

    /// <summary>Output token of the attention methods (0: class token).</summary>
    public int TargetPatch { get; init; }

    /// <summary>Seed of every random draw (SmoothGrad noise, random baselines).</summary>
    public long Seed { get; init; }
}
