namespace AutoTimm.Data;

/// <summary>How <see cref="MultiObjectCanvasGenerator"/> draws a canvas.</summary>
public sealed record MultiObjectCanvasOptions
{
    /// <summary>Canvas height and width in pixels.</summary>
    public int Size { get; init; } = 128;

    /// <summary>Fewest objects placed per canvas.</summary>
    public int MinObjects { get; init; } = 1;

    /// <summary>Most objects placed per canvas (at most 254).</summary>
    public int MaxObjects { get; init; } = 4;

    /// <summary>Smallest scale of a 28 px item.</summary>
    public float MinScale { get; init; } = 1.0f;

    /// <summary>Largest scale of a 28 px item; the scaled item must fit the canvas.</summary>
    public float MaxScale { get; init; } = 2.2f;

    /// <summary>
    /// Largest share of the smaller of two objects' boxes their boxes may have in common; placements that overlap more
    /// are retried, and an object that finds no place is not drawn.
    /// </summary>
    public float MaxOverlap { get; init; } = 0.3f;

    /// <summary>An object is left out when less than this share of its mask would stay visible.</summary>
    public float MinVisibleFraction { get; init; } = 0.5f;

    /// <summary>An object is left out when fewer mask pixels than this would stay visible.</summary>
    public int MinVisiblePixels { get; init; } = 40;

    /// <summary>A pixel belongs to an object when its opacity there exceeds this.</summary>
    public float MaskThreshold { get; init; } = 0.25f;

    /// <summary>Amplitude of the background noise (fraction of the value range).</summary>
    public float NoiseAmplitude { get; init; } = 0.04f;

    /// <summary>Distracting fragments of other items (more than on a single-object canvas, for the larger area).</summary>
    public ClutterOptions Clutter { get; init; } = new() { MinCount = 8, MaxCount = 16 };

    internal void Validate()
    {
        const string owner = nameof(MultiObjectCanvasOptions);
        if (Size is < 16 or > 4096) throw new ArgumentException($"{owner}: canvas size {Size} is outside [16, 4096].");
        if (MinObjects < 1 || MaxObjects < MinObjects || MaxObjects > 254)
            throw new ArgumentException($"{owner}: invalid object count range [{MinObjects}, {MaxObjects}] (1 to 254).");
        if (!(MinScale > 0) || MaxScale < MinScale)
            throw new ArgumentException($"{owner}: invalid item scale range [{MinScale}, {MaxScale}].");
        if (MathF.Round(28 * MaxScale) > Size)
            throw new ArgumentException($"{owner}: an item scaled by {MaxScale} ({MathF.Round(28 * MaxScale)} px) does not fit a {Size} px canvas.");
        if (MaxOverlap is < 0 or > 1) throw new ArgumentException($"{owner}: max overlap {MaxOverlap} is outside [0, 1].");
        if (MinVisibleFraction is < 0 or > 1) throw new ArgumentException($"{owner}: min visible fraction {MinVisibleFraction} is outside [0, 1].");
        if (MinVisiblePixels < 1) throw new ArgumentException($"{owner}: min visible pixels {MinVisiblePixels} must be at least 1.");
        if (MaskThreshold is < 0 or >= 1) throw new ArgumentException($"{owner}: mask threshold {MaskThreshold} is outside [0, 1).");
        if (NoiseAmplitude is < 0 or > 0.5f) throw new ArgumentException($"{owner}: noise amplitude {NoiseAmplitude} is outside [0, 0.5].");
        ArgumentNullException.ThrowIfNull(Clutter);
        Clutter.Validate(owner);
    }
}
