namespace AutoTimm.Data;

/// <summary>
/// Distracting fragments drawn on canvases: square crops of other Fashion-MNIST items (never a whole item), in a
/// random orientation, scaled, colorized and partially transparent. Fragments are drawn beneath the objects, so they
/// never change an object's mask.
/// </summary>
public sealed record ClutterOptions
{
    /// <summary>Fewest fragments per canvas.</summary>
    public int MinCount { get; init; } = 4;

    /// <summary>Most fragments per canvas.</summary>
    public int MaxCount { get; init; } = 8;

    /// <summary>Smallest crop side, in source (28 px item) pixels.</summary>
    public int MinFragmentSize { get; init; } = 7;

    /// <summary>Largest crop side, in source pixels; at most 14 so a fragment is never most of an item.</summary>
    public int MaxFragmentSize { get; init; } = 13;

    /// <summary>Smallest scale applied to a crop.</summary>
    public float MinScale { get; init; } = 0.8f;

    /// <summary>Largest scale applied to a crop.</summary>
    public float MaxScale { get; init; } = 1.6f;

    /// <summary>Smallest fragment opacity.</summary>
    public float MinOpacity { get; init; } = 0.35f;

    /// <summary>Largest fragment opacity.</summary>
    public float MaxOpacity { get; init; } = 0.75f;

    /// <summary>No clutter at all.</summary>
    public static ClutterOptions None { get; } = new() { MinCount = 0, MaxCount = 0 };

    internal void Validate(string owner)
    {
        Check(MinCount >= 0 && MaxCount >= MinCount, $"clutter count range [{MinCount}, {MaxCount}]");
        Check(MinFragmentSize >= 2 && MaxFragmentSize >= MinFragmentSize && MaxFragmentSize <= 14,
            $"fragment size range [{MinFragmentSize}, {MaxFragmentSize}] (2 to 14 source pixels)");
        Check(MinScale > 0 && MaxScale >= MinScale && MaxScale <= 8, $"fragment scale range [{MinScale}, {MaxScale}]");
        Check(MinOpacity >= 0 && MaxOpacity >= MinOpacity && MaxOpacity <= 1, $"fragment opacity range [{MinOpacity}, {MaxOpacity}]");

        void Check(bool ok, string what)
        {
            if (!ok) throw new ArgumentException($"{owner}: invalid {what}.");
        }
    }
}
