using System.Collections.Concurrent;
using AutoTimm.Imaging;

namespace AutoTimm.Interpretation.Visualization;

/// <summary>
/// matplotlib's colormaps by name, and colouring of saliency maps with them (the Python AutoTimm's
/// <c>apply_colormap</c>).
/// </summary>
/// <remarks>
/// Available: viridis, plasma, inferno, magma, cividis, turbo, hot, jet, gray, coolwarm, and each reversed with the
/// suffix <c>_r</c> (e.g. <c>viridis_r</c>). Names are matched case-insensitively. Tables are matplotlib 3.6's,
/// byte for byte; the lookup rule is described on <see cref="Colormap"/>.
/// </remarks>
public static class Colormaps
{
    /// <summary>The default colormap, as in the Python AutoTimm.</summary>
    public const string Default = "viridis";

    private static readonly ConcurrentDictionary<string, Colormap> Cache = new(StringComparer.Ordinal);

    /// <summary>The base colormap names (each is also available reversed, as <c>name_r</c>).</summary>
    public static IReadOnlyList<string> Names { get; } = Array.AsReadOnly(ColormapTables.Names);

    /// <summary>The colormap called <paramref name="name"/> (case-insensitive; <c>_r</c> suffix for reversed).</summary>
    /// <exception cref="ArgumentException">No colormap has that name; the message lists the known names.</exception>
    public static Colormap Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var key = name.Trim().ToLowerInvariant();
        var baseName = key.EndsWith("_r", StringComparison.Ordinal) ? key[..^2] : key;
        if (Array.IndexOf(ColormapTables.Names, baseName) < 0)
        {
            throw new ArgumentException(
                $"Unknown colormap '{name}'. Known colormaps: {string.Join(", ", ColormapTables.Names)} (append _r to reverse one).",
                nameof(name));
        }
        return Cache.GetOrAdd(key, static k => new Colormap(k, ColormapTables.Get(k)));
    }

    /// <summary>Colours a heatmap's normalized values (<see cref="Heatmap.Values"/>) at the heatmap's resolution.</summary>
    /// <param name="heatmap">The explanation to colour.</param>
    /// <param name="colormap">A name from <see cref="Names"/>, optionally with <c>_r</c>.</param>
    public static RgbImage Apply(Heatmap heatmap, string colormap = Default)
    {
        ArgumentNullException.ThrowIfNull(heatmap);
        return Apply(heatmap.Values, heatmap.Width, heatmap.Height, colormap);
    }

    /// <summary>
    /// Colours a row-major map of <paramref name="height"/> x <paramref name="width"/> values, each expected in
    /// [0, 1]: value v becomes entry <c>floor(v * 256)</c> (clamped) of the colormap, as matplotlib.
    /// </summary>
    /// <param name="values">Row-major values, <c>width * height</c> of them.</param>
    /// <param name="width">Map width, at least 1.</param>
    /// <param name="height">Map height, at least 1.</param>
    /// <param name="colormap">A name from <see cref="Names"/>, optionally with <c>_r</c>.</param>
    /// <exception cref="ArgumentException"><paramref name="values"/> does not hold <c>width * height</c> values, or the colormap is unknown.</exception>
    public static RgbImage Apply(ReadOnlySpan<float> values, int width, int height, string colormap = Default)
    {
        var map = Get(colormap);
        var size = RgbImage.CheckSize(width, height);
        if (values.Length != (long)width * height)
            throw new ArgumentException($"Expected {(long)width * height} values for a {width}x{height} map, got {values.Length}.", nameof(values));
        var rgb = new byte[size];
        map.MapInto(values, rgb);
        return RgbImage.Wrap(width, height, rgb);
    }
}
