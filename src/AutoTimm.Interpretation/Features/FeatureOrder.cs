namespace AutoTimm.Interpretation.Features;

/// <summary>Which channels a feature-map figure shows first.</summary>
public enum FeatureOrder
{
    /// <summary>Highest mean activation first.</summary>
    Activation,

    /// <summary>Highest spatial variance first: the channels with the most structure.</summary>
    Variance,

    /// <summary>A seeded random sample.</summary>
    Random,
}
