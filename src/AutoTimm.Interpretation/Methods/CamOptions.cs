using AutoTimm.Interpretation.Engine;

namespace AutoTimm.Interpretation.Methods;

/// <summary>Options of the class-activation-map methods (Grad-CAM, Grad-CAM++, HiResCAM, XGradCAM).</summary>
public sealed record CamOptions : IMethodOptions
{
    /// <summary>Layer the map comes from (dotted name); null picks the model's last spatial feature layer.</summary>
    public string? TargetLayer { get; init; }

    /// <inheritdoc/>
    public void Validate()
    {
        if (TargetLayer is { } layer && string.IsNullOrWhiteSpace(layer))
            throw new ArgumentException("TargetLayer is blank; give a dotted layer name such as layer4, or null for the default", nameof(TargetLayer));
    }
}
