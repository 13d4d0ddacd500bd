using System.Reflection;
using SkiaSharp;

namespace AutoTimm.Interpretation.Visualization;

/// <summary>
/// The typefaces figures are drawn with: DejaVu Sans and DejaVu Sans Bold, embedded in this assembly (see
/// Visualization/Fonts/README.md), because SkiaSharp's NoDependencies native library cannot find system fonts.
/// </summary>
internal static class FigureFonts
{
    private static readonly Lazy<SKTypeface> RegularFace = new(() => Load("DejaVuSans.ttf"));
    private static readonly Lazy<SKTypeface> BoldFace = new(() => Load("DejaVuSans-Bold.ttf"));

    public static SKTypeface Regular => RegularFace.Value;

    public static SKTypeface Bold => BoldFace.Value;

    /// <summary>A font set up for figures: anti-aliased (grayscale, no LCD colour fringes), subpixel positioned.</summary>
    public static SKFont Create(SKTypeface typeface, float size) => new(typeface, size)
    {
        Edging = SKFontEdging.Antialias,
        Subpixel = true,
        Hinting = SKFontHinting.Slight,
    };

    private static SKTypeface Load(string file)
    {
        var name = $"AutoTimm.Interpretation.Visualization.Fonts.{file}";
        using var resource = typeof(FigureFonts).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The embedded font {name} is missing from {typeof(FigureFonts).Assembly.GetName().Name}.");
        // Skia reads typeface data lazily, so it gets its own copy rather than a managed stream that would be closed.
        using var buffer = new MemoryStream((int)resource.Length);
        resource.CopyTo(buffer);
        return SKTypeface.FromStream(new SKMemoryStream(buffer.ToArray()))
            ?? throw new InvalidOperationException($"SkiaSharp could not load the embedded font {name}.");
    }
}
