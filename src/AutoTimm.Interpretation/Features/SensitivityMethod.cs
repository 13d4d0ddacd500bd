namespace AutoTimm.Interpretation.Features;

/// <summary>How a channel's sensitivity to the input is measured.</summary>
public enum SensitivityMethod
{
    /// <summary>The magnitude of the gradient of the channel's mean activation with respect to the input (summed over colour).</summary>
    Gradient,

    /// <summary>How much the channel's mean activation drops when a square patch of the input is replaced by the model's mean colour.</summary>
    Occlusion,
}
