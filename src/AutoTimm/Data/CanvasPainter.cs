namespace AutoTimm.Data;

/// <summary>An item's opacity map after scaling: values in [0,1], row-major.</summary>
internal readonly record struct AlphaMap(float[] Alpha, int Height, int Width);

/// <summary>Drawing steps shared by the canvas generators. Images are channel-major [3,H,W] float arrays.</summary>
internal static class CanvasPainter
{
    /// <summary>Fills the canvas with a dark or light tint plus per-pixel noise; returns whether it is dark.</summary>
    public static bool FillBackground(ref SampleRandom rng, float[] image, int height, int width, float noiseAmplitude)
    {
        var dark = rng.NextBool();
        var value = dark ? rng.NextFloat(0.02f, 0.3f) : rng.NextFloat(0.68f, 0.95f);
        var (r, g, b) = HsvToRgb(rng.NextFloat(), rng.NextFloat(0f, 0.35f), value);
        var plane = height * width;
        for (var i = 0; i < plane; i++)
        {
            // Mostly luminance noise with a little per-channel variation, like sensor noise.
            var shared = rng.NextNoise() * noiseAmplitude;
            var bits = rng.NextUInt64();
            var dr = ((bits & 0xFFFF) / 65535f - 0.5f) * noiseAmplitude;
            var dg = (((bits >> 16) & 0xFFFF) / 65535f - 0.5f) * noiseAmplitude;
            var db = (((bits >> 32) & 0xFFFF) / 65535f - 0.5f) * noiseAmplitude;
            image[i] = Math.Clamp(r + shared + dr, 0f, 1f);
            image[plane + i] = Math.Clamp(g + shared + dg, 0f, 1f);
            image[2 * plane + i] = Math.Clamp(b + shared + db, 0f, 1f);
        }
        return dark;
    }

    /// <summary>
    /// A saturated color of random hue that stands out against a dark or light background by luminance (hue alone is
    /// not enough: a pure blue is nearly as dark as black), so every item is visible to a human.
    /// </summary>
    public static (float R, float G, float B) ForegroundColor(ref SampleRandom rng, bool darkBackground)
    {
        var hue = rng.NextFloat();
        var saturation = rng.NextFloat(0.5f, 1f);
        var value = darkBackground ? rng.NextFloat(0.8f, 1f) : rng.NextFloat(0.15f, 0.5f);
        var (r, g, b) = HsvToRgb(hue, saturation, value);
        // Mix toward white (dark background) or black (light background) until the luminance contrast is enough.
        var target = darkBackground ? 0.5f : 0.22f;
        var luminance = Luminance(r, g, b);
        if (darkBackground && luminance < target)
        {
            var t = (target - luminance) / (1 - luminance);
            (r, g, b) = (r + t * (1 - r), g + t * (1 - g), b + t * (1 - b));
        }
        else if (!darkBackground && luminance > target)
        {
            var t = target / luminance;
            (r, g, b) = (r * t, g * t, b * t);
        }
        return (r, g, b);
    }

    /// <summary>Relative luminance (Rec. 709 weights) of a color in [0,1].</summary>
    public static float Luminance(float r, float g, float b) => 0.2126f * r + 0.7152f * g + 0.0722f * b;

    /// <summary>
    /// The gain that maps an item's intensity to opacity: the item's typical fabric level (the 75th percentile of its
    /// inked pixels, at least half its peak) becomes fully opaque, so faint or patterned items read as solid shapes,
    /// while edges and dark details keep their gradation.
    /// </summary>
    public static float OpacityGain(ReadOnlySpan<byte> pixels)
    {
        Span<int> histogram = stackalloc int[256];
        var peak = 0;
        foreach (var p in pixels)
        {
            histogram[p]++;
            peak = Math.Max(peak, p);
        }
        if (peak == 0) return 1f;
        var floor = peak / 10;
        var inked = 0;
        for (var v = floor + 1; v <= peak; v++) inked += histogram[v];
        var rank = (int)(0.75f * inked);
        var level = peak;
        for (int v = floor + 1, seen = 0; v <= peak; v++)
        {
            seen += histogram[v];
            if (seen > rank)
            {
                level = v;
                break;
            }
        }
        return 255f / Math.Max(level, peak / 2f);
    }

    /// <summary>Scales a grayscale patch bilinearly (pixel centers aligned, outside = 0) into an opacity map, times a gain, capped at 1.</summary>
    public static AlphaMap Scale(ReadOnlySpan<byte> source, int sourceHeight, int sourceWidth, int height, int width, float gain = 1f)
    {
        var alpha = new float[height * width];
        var xs = Taps(sourceWidth, width);
        var ys = Taps(sourceHeight, height);
        for (var y = 0; y < height; y++)
        {
            var (y0, wy) = ys[y];
            for (var x = 0; x < width; x++)
            {
                var (x0, wx) = xs[x];
                var top = (1 - wx) * At(source, sourceHeight, sourceWidth, y0, x0) + wx * At(source, sourceHeight, sourceWidth, y0, x0 + 1);
                var bottom = (1 - wx) * At(source, sourceHeight, sourceWidth, y0 + 1, x0) + wx * At(source, sourceHeight, sourceWidth, y0 + 1, x0 + 1);
                alpha[y * width + x] = MathF.Min(1f, ((1 - wy) * top + wy * bottom) * (gain / 255f));
            }
        }
        return new AlphaMap(alpha, height, width);
    }

    /// <summary>
    /// Draws a color with a per-pixel opacity (<paramref name="opacity"/> times the alpha map) at (left, top), clipped
    /// to the canvas: pixel = a * color + (1 - a) * pixel.
    /// </summary>
    public static void Composite(float[] image, int height, int width, AlphaMap map, int left, int top, (float R, float G, float B) color, float opacity)
    {
        var plane = height * width;
        for (var y = Math.Max(0, top); y < Math.Min(height, top + map.Height); y++)
        {
            for (var x = Math.Max(0, left); x < Math.Min(width, left + map.Width); x++)
            {
                var a = map.Alpha[(y - top) * map.Width + (x - left)] * opacity;
                if (a <= 0) continue;
                var i = y * width + x;
                image[i] = a * color.R + (1 - a) * image[i];
                image[plane + i] = a * color.G + (1 - a) * image[plane + i];
                image[2 * plane + i] = a * color.B + (1 - a) * image[2 * plane + i];
            }
        }
    }

    /// <summary>
    /// Draws fragments cropped from items other than <paramref name="excluded"/>: small square crops (never a whole
    /// item) in one of eight orientations, scaled, colorized and partially transparent, placed anywhere on the
    /// canvas (possibly crossing its edge).
    /// </summary>
    public static void DrawClutter(ref SampleRandom rng, float[] image, int height, int width, bool darkBackground,
        FashionMnistSplit split, ReadOnlySpan<int> excluded, int count, ClutterOptions settings, Span<int> sources)
    {
        var crop = new byte[settings.MaxFragmentSize * settings.MaxFragmentSize];
        for (var f = 0; f < count; f++)
        {
            var source = PickOther(ref rng, split.Count, excluded);
            sources[f] = source;
            var size = rng.NextInt(settings.MinFragmentSize, settings.MaxFragmentSize);
            var pixels = split.Pixels(source);
            var (cx, cy) = EdgeCrop(ref rng, pixels, split.Height, split.Width, size);
            var orientation = rng.NextInt(8);
            for (var v = 0; v < size; v++)
            {
                for (var u = 0; u < size; u++)
                {
                    var (su, sv) = Orient(u, v, size, orientation);
                    crop[v * size + u] = pixels[(cy + sv) * split.Width + cx + su];
                }
            }
            var scale = rng.NextFloat(settings.MinScale, settings.MaxScale);
            var side = Math.Max(2, (int)MathF.Round(size * scale));
            var map = Scale(crop.AsSpan(0, size * size), size, size, side, side);
            var left = rng.NextInt(-side / 2, width - side / 2);
            var top = rng.NextInt(-side / 2, height - side / 2);
            var color = ForegroundColor(ref rng, darkBackground);
            var opacity = rng.NextFloat(settings.MinOpacity, settings.MaxOpacity);
            Composite(image, height, width, map, left, top, color, opacity);
        }
    }

    /// <summary>Pixels whose alpha exceeds the threshold, at the map's placement on the canvas.</summary>
    public static void MarkMask(Span<bool> mask, int height, int width, AlphaMap map, int left, int top, float threshold)
    {
        for (var y = Math.Max(0, top); y < Math.Min(height, top + map.Height); y++)
        {
            for (var x = Math.Max(0, left); x < Math.Min(width, left + map.Width); x++)
            {
                if (map.Alpha[(y - top) * map.Width + (x - left)] > threshold) mask[y * width + x] = true;
            }
        }
    }

    /// <summary>HSV (all in [0,1]) to RGB.</summary>
    public static (float R, float G, float B) HsvToRgb(float h, float s, float v)
    {
        var h6 = (h - MathF.Floor(h)) * 6f;
        var sector = Math.Min(5, (int)h6);
        var f = h6 - sector;
        var p = v * (1 - s);
        var q = v * (1 - s * f);
        var t = v * (1 - s * (1 - f));
        return sector switch
        {
            0 => (v, t, p),
            1 => (q, v, p),
            2 => (p, v, t),
            3 => (p, q, v),
            4 => (t, p, v),
            _ => (v, p, q),
        };
    }

    private static int PickOther(ref SampleRandom rng, int count, ReadOnlySpan<int> excluded)
    {
        if (count <= excluded.Length) return rng.NextInt(count);
        while (true)
        {
            var candidate = rng.NextInt(count);
            if (!excluded.Contains(candidate)) return candidate;
        }
    }

    /// <summary>
    /// A crop position whose share of inked pixels is closest to one half: such crops hold an item's edge (a
    /// recognisable part) rather than a flat patch of fabric or empty background.
    /// </summary>
    private static (int X, int Y) EdgeCrop(ref SampleRandom rng, ReadOnlySpan<byte> pixels, int height, int width, int size)
    {
        (int X, int Y) best = (0, 0);
        var bestScore = int.MaxValue;
        var half = size * size / 2;
        for (var attempt = 0; attempt < 8; attempt++)
        {
            var x = rng.NextInt(width - size + 1);
            var y = rng.NextInt(height - size + 1);
            var inked = 0;
            for (var v = 0; v < size; v++)
            {
                foreach (var p in pixels.Slice((y + v) * width + x, size))
                {
                    if (p > 64) inked++;
                }
            }
            var score = Math.Abs(inked - half);
            if (score < bestScore)
            {
                bestScore = score;
                best = (x, y);
            }
        }
        return best;
    }

    private static (int U, int V) Orient(int u, int v, int size, int orientation)
    {
        if ((orientation & 1) != 0) u = size - 1 - u;
        if ((orientation & 2) != 0) v = size - 1 - v;
        return (orientation & 4) != 0 ? (v, u) : (u, v);
    }

    private static (int Index, float Weight)[] Taps(int sourceSize, int size)
    {
        var taps = new (int, float)[size];
        var ratio = (float)sourceSize / size;
        for (var o = 0; o < size; o++)
        {
            var s = (o + 0.5f) * ratio - 0.5f;
            var i = (int)MathF.Floor(s);
            taps[o] = (i, s - i);
        }
        return taps;
    }

    private static float At(ReadOnlySpan<byte> source, int height, int width, int y, int x) =>
        (uint)y < (uint)height && (uint)x < (uint)width ? source[y * width + x] : 0f;
}
