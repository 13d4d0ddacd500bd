namespace AutoTimm.Interpretation.Metrics;

/// <summary>What a perturbation metric tracks of the explained class.</summary>
public enum TrackedScore
{
    /// <summary>The softmax probability (RISE, and pytorch-grad-cam's <c>ClassifierOutputSoftmaxTarget</c>).</summary>
    Probability,
    /// <summary>The raw logit (pytorch-grad-cam's <c>ClassifierOutputTarget</c>, Captum's forward output).</summary>
    Logit,
}
