using AutoTimm.Imaging;

namespace AutoTimm.Interpretation.Visualization;

/// <summary>
/// A 256-entry colour lookup table, entry for entry matplotlib's (<c>cmap(np.arange(256), bytes=True)</c>), and
/// matplotlib's rule for looking a value up in it. Get one from <see cref="Colormaps.Get"/>.
/// </summary>
/// <remarks>
/// A value <c>v</c> maps to entry <c>floor(v * 256)</c> clamped to [0, 255], as matplotlib's <c>Colormap.__call__</c>
/// with <c>N = 256</c>: the 256 entries split [0, 1] into equal bins, so 0.5 is entry 128 and 1 the last entry.
/// Values below 0 take the first entry and values above 1 the last (what clipping to [0, 1] first gives, as the
/// Python AutoTimm's <c>apply_colormap</c> does); NaN is black, matplotlib's "bad" colour without its alpha.
/// </remarks>
public sealed class Colormap
{
    /// <summary>Number of entries in every table.</summary>
    public const int Size = 256;

    private readonly byte[] _table;

    internal Colormap(string name, ReadOnlySpan<byte> table)
    {
        if (table.Length != Size * 3) throw new ArgumentException($"A colormap table has {Size * 3} bytes, got {table.Length}.", nameof(table));
        Name = name;
        _table = table.ToArray();
    }

    /// <summary>The matplotlib name, e.g. <c>viridis</c> or <c>hot_r</c>.</summary>
    public string Name { get; }

    /// <summary>The entries as interleaved RGB bytes, <see cref="Size"/> * 3 of them, lowest value first.</summary>
    public ReadOnlySpan<byte> Table => _table;

    /// <summary>Entry <paramref name="index"/> (0 for the lowest value, 255 for the highest).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside [0, 255].</exception>
    public Rgb this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Size);
            return new Rgb(_table[index * 3], _table[(index * 3) + 1], _table[(index * 3) + 2]);
        }
    }

    /// <summary>The table entry a value falls in: <c>floor(value * 256)</c> clamped to [0, 255]; NaN gives -1.</summary>
    public static int IndexOf(float value)
    {
        if (float.IsNaN(value)) return -1;
        if (!(value > 0f)) return 0;
        if (value >= 1f) return Size - 1;
        // value * 256 is exact in float (a power of two), so truncation is matplotlib's floor.
        return Math.Min((int)(value * Size), Size - 1);
    }

    /// <summary>The colour of <paramref name="value"/> (see the class remarks for out-of-range values and NaN).</summary>
    public Rgb Map(float value)
    {
        var index = IndexOf(value);
        return index < 0 ? default : this[index];
    }

    /// <summary>Writes the colour of each value as three bytes into <paramref name="rgb"/>.</summary>
    internal void MapInto(ReadOnlySpan<float> values, Span<byte> rgb)
    {
        for (var i = 0; i < values.Length; i++)
        {
            var index = IndexOf(values[i]);
            if (index < 0)
            {
                rgb[i * 3] = rgb[(i * 3) + 1] = rgb[(i * 3) + 2] = 0;
                continue;
            }
            rgb[i * 3] = _table[index * 3];
            rgb[(i * 3) + 1] = _table[(index * 3) + 1];
            rgb[(i * 3) + 2] = _table[(index * 3) + 2];
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"Colormap {Name}";
}
