namespace AutoTimm.Data;

/// <summary>How <see cref="ClutteredCanvasGenerator"/> draws a canvas.</summary>
public sealed record ClutteredCanvasOptions
{
    /// <summary>Canvas height and width in pixels.</summary>
    public int Size { get; init; } = 64;

    /// <summary>Smallest scale of the 28 px item.</summary>
    public float MinScale { get; init; } = 0.8f;

    /// <summary>Largest scale of the 28 px item; the scaled item must fit the canvas.</summary>
    public float MaxScale { get; init; } = 1.6f;

    /// <summary>A pixel belongs to the item's mask when the item's opacity there exceeds this.</summary>
    public float MaskThreshold { get; init; } = 0.25f;

    /// <summary>Amplitude of the background noise (fraction of the value range).</summary>
    public float NoiseAmplitude { get; init; } = 0.04f;

    /// <summary>Distracting fragments of other items.</summary>
    public ClutterOptions Clutter { get; init; } = new();

    internal void Validate()
    {
        const string owner = nameof(ClutteredCanvasOptions);
        if (Size is < 8 or > 4096) throw new ArgumentException($"{owner}: canvas size {Size} is outside [8, 4096].");
        if (!(MinScale > 0) || MaxScale < MinScale)
            throw new ArgumentException($"{owner}: invalid item scale range [{MinScale}, {MaxScale}].");
        if (MathF.Round(28 * MaxScale) > Size)
            throw new ArgumentException($"{owner}: an item scaled by {MaxScale} ({MathF.Round(28 * MaxScale)} px) does not fit a {Size} px canvas.");
        if (MaskThreshold is < 0 or >= 1) throw new ArgumentException($"{owner}: mask threshold {MaskThreshold} is outside [0, 1).");
        if (NoiseAmplitude is < 0 or > 0.5f) throw new ArgumentException($"{owner}: noise amplitude {NoiseAmplitude} is outside [0, 0.5].");
        ArgumentNullException.ThrowIfNull(Clutter);
        Clutter.Validate(owner);
    }
}
