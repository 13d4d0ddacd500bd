namespace AutoTimm.Interpretation.Visualization;

/// <summary>
/// Resizing of float maps. <see cref="Bilinear"/>: half-pixel centres and edge clamping, no antialiasing, which is
/// what OpenCV's <c>cv2.resize(map, size)</c> (the Python AutoTimm's overlay) and torch's
/// <c>interpolate(mode="bilinear", align_corners=False)</c> compute. <see cref="Nearest"/>: PIL's pixel mapping,
/// matching <see cref="AutoTimm.Imaging.RgbImage.Resize"/> with nearest-neighbour so maps stay aligned with images.
/// </summary>
internal static class MapResampler
{
    public static float[] Bilinear(ReadOnlySpan<float> source, int inWidth, int inHeight, int outWidth, int outHeight)
    {
        Check(source, inWidth, inHeight, outWidth, outHeight);
        if (inWidth == outWidth && inHeight == outHeight) return source.ToArray();

        var (x0, x1, wx) = Taps(inWidth, outWidth);
        var (y0, y1, wy) = Taps(inHeight, outHeight);

        // Horizontal pass over every source row, then the vertical pass, as OpenCV (float arithmetic throughout).
        var rows = new float[inHeight * outWidth];
        for (var y = 0; y < inHeight; y++)
        {
            var src = source.Slice(y * inWidth, inWidth);
            var dst = rows.AsSpan(y * outWidth, outWidth);
            for (var x = 0; x < outWidth; x++)
                dst[x] = (src[x0[x]] * (1f - wx[x])) + (src[x1[x]] * wx[x]);
        }
        var result = new float[outWidth * outHeight];
        for (var y = 0; y < outHeight; y++)
        {
            var top = rows.AsSpan(y0[y] * outWidth, outWidth);
            var bottom = rows.AsSpan(y1[y] * outWidth, outWidth);
            var dst = result.AsSpan(y * outWidth, outWidth);
            var b = wy[y];
            for (var x = 0; x < outWidth; x++)
                dst[x] = (top[x] * (1f - b)) + (bottom[x] * b);
        }
        return result;
    }

    /// <summary>Nearest-neighbour resizing with PIL's pixel mapping (output i reads input <c>floor((i + 0.5) * in / out)</c>).</summary>
    public static float[] Nearest(ReadOnlySpan<float> source, int inWidth, int inHeight, int outWidth, int outHeight)
    {
        Check(source, inWidth, inHeight, outWidth, outHeight);
        var xs = new int[outWidth];
        for (var x = 0; x < outWidth; x++) xs[x] = Math.Min((int)((x + 0.5) * inWidth / outWidth), inWidth - 1);
        var result = new float[outWidth * outHeight];
        for (var y = 0; y < outHeight; y++)
        {
            var row = source.Slice(Math.Min((int)((y + 0.5) * inHeight / outHeight), inHeight - 1) * inWidth, inWidth);
            var dst = result.AsSpan(y * outWidth, outWidth);
            for (var x = 0; x < outWidth; x++) dst[x] = row[xs[x]];
        }
        return result;
    }

    private static void Check(ReadOnlySpan<float> source, int inWidth, int inHeight, int outWidth, int outHeight)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inHeight);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outHeight);
        if (source.Length != (long)inWidth * inHeight)
            throw new ArgumentException($"Expected {(long)inWidth * inHeight} values for a {inWidth}x{inHeight} map, got {source.Length}.", nameof(source));
        if ((long)outWidth * outHeight > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(outWidth), $"A {outWidth}x{outHeight} map does not fit in memory as one buffer.");
    }

    /// <summary>For each output index: the two source indices and the weight of the second.</summary>
    internal static (int[] First, int[] Second, float[] Weight) Taps(int inSize, int outSize)
    {
        var scale = (double)inSize / outSize;
        var first = new int[outSize];
        var second = new int[outSize];
        var weight = new float[outSize];
        for (var i = 0; i < outSize; i++)
        {
            var position = (float)(((i + 0.5) * scale) - 0.5);
            var index = (int)MathF.Floor(position);
            var fraction = position - index;
            if (index < 0)
            {
                index = 0;
                fraction = 0f;
            }
            if (index >= inSize - 1)
            {
                index = inSize - 1;
                fraction = 0f;
            }
            first[i] = index;
            second[i] = Math.Min(index + 1, inSize - 1);
            weight[i] = fraction;
        }
        return (first, second, weight);
    }
}
