namespace AutoTimm.Data;

/// <summary>
/// Draws canvases with several Fashion-MNIST objects (for detection and segmentation): each scaled, colorized and
/// placed with limited overlap on a cluttered background; objects drawn later occlude earlier ones.
/// </summary>
/// <remarks>
/// Ground truth follows occlusion: the class and instance masks show the object visible at each pixel, and each
/// box is tight around the object's visible pixels. An object that would stay too little visible is left out of
/// the canvas altogether (not only its box), so every visible object pixel is annotated. Deterministic per
/// (seed, index), like <see cref="ClutteredCanvasGenerator"/>; all items and fragments come from <see cref="Source"/>.
/// </remarks>
public sealed class MultiObjectCanvasGenerator
{
    private const int PlacementAttempts = 25;

    /// <summary>Creates a generator over one Fashion-MNIST split.</summary>
    /// <param name="source">The split every item and fragment is taken from.</param>
    /// <param name="seed">Seed; with the canvas index it determines the canvas.</param>
    /// <param name="options">Drawing options; null for the defaults.</param>
    public MultiObjectCanvasGenerator(FashionMnistSplit source, ulong seed = 0, MultiObjectCanvasOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        options ??= new MultiObjectCanvasOptions();
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
    public MultiObjectCanvasOptions Options { get; }

    /// <summary>Draws canvas number <paramref name="index"/>.</summary>
    /// <param name="index">Canvas index, non-negative.</param>
    public MultiObjectCanvas Generate(long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        var rng = new SampleRandom(Seed, (ulong)index);
        var size = Options.Size;
        var image = new float[3 * size * size];
        var dark = CanvasPainter.FillBackground(ref rng, image, size, size, Options.NoiseAmplitude);

        var placed = Place(ref rng, dark, rng.NextInt(Options.MinObjects, Options.MaxObjects));
        var owner = new int[size * size];
        var visible = Own(owner, placed, keep: null);
        var keep = new bool[placed.Count];
        for (var k = 0; k < placed.Count; k++)
            keep[k] = visible[k] >= Options.MinVisiblePixels && visible[k] >= Options.MinVisibleFraction * placed[k].FullPixels;
        // Leaving an object out only uncovers the ones beneath it, so no kept object loses visibility.
        visible = Own(owner, placed, keep);

        var clutter = Options.Clutter;
        var clutterRng = new SampleRandom(Seed, (ulong)index, stream: 1);
        var fragments = clutterRng.NextInt(clutter.MinCount, clutter.MaxCount);
        var excluded = placed.Select(p => p.SourceIndex).ToArray();
        CanvasPainter.DrawClutter(ref clutterRng, image, size, size, dark, Source, excluded, fragments, clutter, new int[fragments]);

        var instanceIds = new int[placed.Count];
        var objects = new List<CanvasObject>();
        for (var k = 0; k < placed.Count; k++)
        {
            if (!keep[k]) continue;
            var p = placed[k];
            CanvasPainter.Composite(image, size, size, p.Map, p.Left, p.Top, p.Color, 1f);
            instanceIds[k] = objects.Count + 1;
            var visibleMask = new bool[size * size];
            for (var i = 0; i < owner.Length; i++) visibleMask[i] = owner[i] == k + 1;
            objects.Add(new CanvasObject(instanceIds[k], p.Label, BoundingBox.FromMask(visibleMask, size, size), p.Box, visible[k], p.FullPixels,
                p.SourceIndex, [p.Color.R, p.Color.G, p.Color.B]));
        }

        var classMask = new byte[size * size];
        var instanceMask = new byte[size * size];
        for (var i = 0; i < owner.Length; i++)
        {
            if (owner[i] == 0) continue;
            var k = owner[i] - 1;
            classMask[i] = (byte)(placed[k].Label + 1);
            instanceMask[i] = (byte)instanceIds[k];
        }
        return new MultiObjectCanvas(image, size, size, classMask, instanceMask, objects, placed.Count - objects.Count);
    }

    /// <summary>Chooses items, scales, colors and positions; an object that finds no place with little enough overlap is skipped.</summary>
    private List<Placement> Place(ref SampleRandom rng, bool dark, int count)
    {
        var size = Options.Size;
        var placed = new List<Placement>(count);
        for (var k = 0; k < count; k++)
        {
            int source;
            do source = rng.NextInt(Source.Count);
            while (Source.Count > count && placed.Any(p => p.SourceIndex == source));
            var color = CanvasPainter.ForegroundColor(ref rng, dark);
            var side = Math.Clamp((int)MathF.Round(Source.Width * rng.NextFloat(Options.MinScale, Options.MaxScale)), 1, size);
            var sideY = Math.Clamp((int)MathF.Round((float)side * Source.Height / Source.Width), 1, size);
            var map = CanvasPainter.Scale(Source.Pixels(source), Source.Height, Source.Width, sideY, side,
            CanvasPainter.OpacityGain(Source.Pixels(source)));
            var local = new bool[map.Alpha.Length];
            CanvasPainter.MarkMask(local, map.Height, map.Width, map, 0, 0, Options.MaskThreshold);
            var fullPixels = local.Count(b => b);
            var localBox = BoundingBox.FromMask(local, map.Height, map.Width);
            for (var attempt = 0; attempt < PlacementAttempts; attempt++)
            {
                var left = rng.NextInt(size - side + 1);
                var top = rng.NextInt(size - sideY + 1);
                var box = new BoundingBox(localBox.X0 + left, localBox.Y0 + top, localBox.X1 + left, localBox.Y1 + top);
                if (fullPixels == 0 || placed.Any(p => Overlap(p.Box, box) > Options.MaxOverlap)) continue;
                placed.Add(new Placement(map, left, top, color, source, Source.Label(source), box, fullPixels));
                break;
            }
        }
        return placed;
    }

    /// <summary>Marks each pixel with 1 + the index of the last object covering it; returns visible pixel counts.</summary>
    private int[] Own(int[] owner, List<Placement> placed, bool[]? keep)
    {
        var size = Options.Size;
        Array.Clear(owner);
        for (var k = 0; k < placed.Count; k++)
        {
            if (keep is not null && !keep[k]) continue;
            var p = placed[k];
            for (var y = Math.Max(0, p.Top); y < Math.Min(size, p.Top + p.Map.Height); y++)
            {
                for (var x = Math.Max(0, p.Left); x < Math.Min(size, p.Left + p.Map.Width); x++)
                {
                    if (p.Map.Alpha[(y - p.Top) * p.Map.Width + (x - p.Left)] > Options.MaskThreshold) owner[y * size + x] = k + 1;
                }
            }
        }
        var visible = new int[placed.Count];
        foreach (var o in owner)
        {
            if (o > 0) visible[o - 1]++;
        }
        return visible;
    }

    private static float Overlap(BoundingBox a, BoundingBox b)
    {
        var smaller = MathF.Min(a.Area, b.Area);
        return smaller > 0 ? a.Intersect(b).Area / smaller : 0;
    }

    private sealed record Placement(AlphaMap Map, int Left, int Top, (float R, float G, float B) Color, int SourceIndex, int Label,
        BoundingBox Box, int FullPixels);
}
