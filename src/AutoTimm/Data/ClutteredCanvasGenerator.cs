namespace AutoTimm.Data;

/// <summary>
/// Draws "cluttered Fashion-MNIST" canvases: one item, scaled and colorized (a random-hue color whose opacity is the
/// item's intensity, scaled so its typical fabric level is opaque; the mask is exact), on a tinted noisy background
/// strewn with fragments of other items. Fragments lie beneath the item and never count in its mask.
/// </summary>
/// <remarks>
/// Canvas <c>i</c> shows item <c>i mod Source.Count</c>, so the first <c>Source.Count</c> canvases cover every item
/// once. Everything random comes from a per-canvas counter-based generator keyed by (seed, index): a canvas is the
/// same bytes whatever order or thread produces it. All items (including clutter) come from <see cref="Source"/>, so
/// canvases drawn from the test split never contain training pixels.
/// </remarks>
public sealed class ClutteredCanvasGenerator
{
    /// <summary>Creates a generator over one Fashion-MNIST split.</summary>
    /// <param name="source">The split every item and fragment is taken from.</param>
    /// <param name="seed">Seed; with the canvas index it determines the canvas.</param>
    /// <param name="options">Drawing options; null for the defaults.</param>
    public ClutteredCanvasGenerator(FashionMnistSplit source, ulong seed = 0, ClutteredCanvasOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        options ??= new ClutteredCanvasOptions();
        options.Validate();
        Source = source;
        Seed = seed;
        Options = options;
    }

    /// <summary>The split items come from.</summary>
    public FashionMnistSplit Source { get; }

    /// <summary>The seed.</summary>
    public ulong Seed { get; }

    /// <summary>The drawing options.</summary>
    public ClutteredCanvasOptions Options { get; }

    /// <summary>Draws canvas number <paramref name="index"/>.</summary>
    /// <param name="index">Canvas index, non-negative; canvases are defined for every index.</param>
    public CanvasSample Generate(long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        var rng = new SampleRandom(Seed, (ulong)index);
        var size = Options.Size;
        var image = new float[3 * size * size];
        var dark = CanvasPainter.FillBackground(ref rng, image, size, size, Options.NoiseAmplitude);

        var sourceIndex = (int)(index % Source.Count);
        var itemColor = CanvasPainter.ForegroundColor(ref rng, dark);
        var side = (int)MathF.Round(Source.Width * rng.NextFloat(Options.MinScale, Options.MaxScale));
        side = Math.Clamp(side, 1, size);
        var sideY = Math.Clamp((int)MathF.Round((float)side * Source.Height / Source.Width), 1, size);
        var left = rng.NextInt(size - side + 1);
        var top = rng.NextInt(size - sideY + 1);

        var clutter = Options.Clutter;
        var fragments = rng.NextInt(clutter.MinCount, clutter.MaxCount);
        var clutterRng = new SampleRandom(Seed, (ulong)index, stream: 1);
        var clutterSources = new int[fragments];
        CanvasPainter.DrawClutter(ref clutterRng, image, size, size, dark, Source, [sourceIndex], fragments, clutter, clutterSources);

        var map = CanvasPainter.Scale(Source.Pixels(sourceIndex), Source.Height, Source.Width, sideY, side,
            CanvasPainter.OpacityGain(Source.Pixels(sourceIndex)));
        CanvasPainter.Composite(image, size, size, map, left, top, itemColor, 1f);
        var mask = new bool[size * size];
        CanvasPainter.MarkMask(mask, size, size, map, left, top, Options.MaskThreshold);
        return new CanvasSample(image, size, size, Source.Label(sourceIndex), mask, BoundingBox.FromMask(mask, size, size),
            sourceIndex, [itemColor.R, itemColor.G, itemColor.B], clutterSources);
    }
}
