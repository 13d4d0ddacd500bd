namespace AutoTimm.Interpretation.Features;

/// <summary>One channel of a layer and how strongly it responds to an image.</summary>
/// <param name="Channel">The channel index.</param>
/// <param name="Mean">Its mean activation over the feature map.</param>
/// <param name="Max">Its largest activation.</param>
/// <param name="Variance">The spatial variance of its activation.</param>
public sealed record ChannelActivation(int Channel, double Mean, double Max, double Variance);
