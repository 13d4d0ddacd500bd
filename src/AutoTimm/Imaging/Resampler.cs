using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;

namespace AutoTimm.Imaging;

/// <summary>
/// PIL's resampling (Pillow <c>libImaging/Resample.c</c> and the nearest-neighbour scaler in <c>Geometry.c</c>),
/// reimplemented in managed code so preprocessing gives the same pixels as the Python pipelines models were
/// trained with.
/// </summary>
/// <remarks>
/// Bilinear and bicubic are separable convolutions: a horizontal pass into an 8-bit intermediate image, then a
/// vertical pass. When shrinking, the filter is stretched by the scale factor (its support grows with it), which is
/// what antialiases. Weights are precomputed per output column/row and applied in 22-bit fixed point with PIL's
/// rounding and clipping, so results match PIL exactly rather than approximately.
/// </remarks>
internal static class Resampler
{
    private const int PrecisionBits = 32 - 8 - 2;
    private const int Half = 1 << (PrecisionBits - 1);

    public static byte[] Resize(byte[] source, int inWidth, int inHeight, int outWidth, int outHeight, ResizeInterpolation interpolation) =>
        Resize(source, inWidth, inHeight, outWidth, outHeight, interpolation, new Window(0, 0, outWidth, outHeight));

    /// <summary>
    /// The pixels of <paramref name="window"/> of the resized image: the same bytes as resizing the whole image and
    /// cropping, since every output pixel depends on the input alone, without computing the pixels a crop discards.
    /// </summary>
    public static byte[] Resize(byte[] source, int inWidth, int inHeight, int outWidth, int outHeight, ResizeInterpolation interpolation, Window window)
    {
        if (window.Left < 0 || window.Top < 0 || window.Width <= 0 || window.Height <= 0 || window.Left + window.Width > outWidth || window.Top + window.Height > outHeight)
            throw new ArgumentOutOfRangeException(nameof(window), window, $"The window leaves the {outWidth}x{outHeight} output.");
        switch (interpolation)
        {
            case ResizeInterpolation.Nearest:
                return Nearest(source, inWidth, inHeight, outWidth, outHeight, window);
            case ResizeInterpolation.Bilinear:
                return Convolve(source, inWidth, inHeight, outWidth, outHeight, window, Triangle, 1.0);
            case ResizeInterpolation.Bicubic:
                return Convolve(source, inWidth, inHeight, outWidth, outHeight, window, Cubic, 2.0);
            default:
                throw new ArgumentOutOfRangeException(nameof(interpolation), interpolation, "Unknown interpolation.");
        }
    }

    /// <summary>A rectangle of the output image, in output pixels.</summary>
    public readonly record struct Window(int Left, int Top, int Width, int Height);

    private static double Triangle(double x)
    {
        if (x < 0.0) x = -x;
        return x < 1.0 ? 1.0 - x : 0.0;
    }

    /// <summary>Keys' cubic convolution with a = -0.5 (PIL's BICUBIC; torch's bicubic uses a = -0.75).</summary>
    private static double Cubic(double x)
    {
        const double a = -0.5;
        if (x < 0.0) x = -x;
        if (x < 1.0) return ((((a + 2.0) * x) - (a + 3.0)) * x * x) + 1;
        if (x < 2.0) return ((((x - 5) * x) + 8) * x - 4) * a;
        return 0.0;
    }

    /// <summary>Fixed-point taps for one axis: output i reads <c>Count[i]</c> inputs from <c>First[i]</c> with weights at <c>i * Taps</c>.</summary>
    private sealed class Kernel
    {
        public required int[] First { get; init; }
        public required int[] Count { get; init; }
        public required int[] Weights { get; init; }
        public required int Taps { get; init; }
    }

    private static Kernel Precompute(int inSize, int outSize, Func<double, double> filter, double filterSupport)
    {
        // PIL computes the scale from float box edges; for a whole-image box that is exactly inSize / outSize.
        var scale = (double)(float)inSize / outSize;
        var filterScale = Math.Max(scale, 1.0);
        var support = filterSupport * filterScale;
        var taps = ((int)Math.Ceiling(support) * 2) + 1;
        var first = new int[outSize];
        var count = new int[outSize];
        var weights = new int[outSize * taps];
        var k = new double[taps];
        for (var i = 0; i < outSize; i++)
        {
            var center = (i + 0.5) * scale;
            var ss = 1.0 / filterScale;
            var xmin = Math.Max((int)(center - support + 0.5), 0);
            var xmax = Math.Min((int)(center + support + 0.5), inSize) - xmin;
            var sum = 0.0;
            for (var x = 0; x < xmax; x++)
            {
                k[x] = filter((x + xmin - center + 0.5) * ss);
                sum += k[x];
            }
            for (var x = 0; x < xmax; x++)
            {
                var w = sum != 0.0 ? k[x] / sum : k[x];
                // C's (int) cast truncates toward zero, as does C#'s: rounding half away from zero.
                weights[(i * taps) + x] = w < 0 ? (int)(-0.5 + (w * (1 << PrecisionBits))) : (int)(0.5 + (w * (1 << PrecisionBits)));
            }
            first[i] = xmin;
            count[i] = xmax;
        }
        return new Kernel { First = first, Count = count, Weights = weights, Taps = taps };
    }

    private static byte Clip(int accumulator)
    {
        var v = accumulator >> PrecisionBits;
        return v < 0 ? (byte)0 : v > 255 ? (byte)255 : (byte)v;
    }

    private static byte[] Convolve(byte[] source, int inWidth, int inHeight, int outWidth, int outHeight, Window window, Func<double, double> filter, double support)
    {
        var needHorizontal = outWidth != inWidth;
        var needVertical = outHeight != inHeight;
        var horizontal = needHorizontal ? Precompute(inWidth, outWidth, filter, support) : null;
        var vertical = needVertical ? Precompute(inHeight, outHeight, filter, support) : null;

        // The input rows the vertical pass reads for the window's rows (the window's rows themselves when it is
        // not needed).
        int firstRow = window.Top, lastRow = window.Top + window.Height;
        if (vertical is not null)
        {
            (firstRow, lastRow) = (int.MaxValue, 0);
            for (var y = window.Top; y < window.Top + window.Height; y++)
            {
                firstRow = Math.Min(firstRow, vertical.First[y]);
                lastRow = Math.Max(lastRow, vertical.First[y] + vertical.Count[y]);
            }
        }
        int rowCount = lastRow - firstRow, length = rowCount * window.Width * 3;
        void FirstPass(Span<byte> rows)
        {
            if (horizontal is null) CopyColumns(source, inWidth, firstRow, rowCount, window.Left, window.Width, rows);
            else HorizontalPass(source, inWidth, firstRow, rowCount, window.Left, window.Width, horizontal, rows);
        }
        if (vertical is null)
        {
            var output = new byte[length];
            FirstPass(output);
            return output;
        }
        // The rows between the passes live only for the vertical pass, so they are rented: a fresh buffer of half a
        // megabyte for every photo kept the collector busy in explain-batch's decoders.
        var between = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            FirstPass(between.AsSpan(0, length));
            return VerticalPass(between, window.Width, firstRow, window.Top, window.Height, vertical);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(between);
        }
    }

    private static void CopyColumns(byte[] source, int inWidth, int firstRow, int rows, int firstColumn, int columns, Span<byte> output)
    {
        for (var y = 0; y < rows; y++)
            source.AsSpan((((firstRow + y) * inWidth) + firstColumn) * 3, columns * 3).CopyTo(output.Slice(y * columns * 3));
    }

    // Output columns firstColumn.. of input rows firstRow..: each output pixel a weighted sum of Count input pixels.
    private static void HorizontalPass(byte[] source, int inWidth, int firstRow, int rows, int firstColumn, int columns, Kernel kernel, Span<byte> output)
    {
        for (var y = 0; y < rows; y++)
        {
            var inRow = source.AsSpan((firstRow + y) * inWidth * 3, inWidth * 3);
            var outRow = output.Slice(y * columns * 3, columns * 3);
            for (var xx = 0; xx < columns; xx++)
            {
                var x = firstColumn + xx;
                var weights = kernel.Weights.AsSpan(x * kernel.Taps, kernel.Count[x]);
                var pixels = inRow.Slice(kernel.First[x] * 3, weights.Length * 3);
                int r = Half, g = Half, b = Half;
                for (int t = 0, p = 0; t < weights.Length; t++, p += 3)
                {
                    var w = weights[t];
                    r += pixels[p] * w;
                    g += pixels[p + 1] * w;
                    b += pixels[p + 2] * w;
                }
                outRow[xx * 3] = Clip(r);
                outRow[(xx * 3) + 1] = Clip(g);
                outRow[(xx * 3) + 2] = Clip(b);
            }
        }
    }

    // Output rows firstOutputRow.. from rows that start at input row rowShift: each output row a weighted sum of
    // Count whole rows, accumulated row by row (vectorized), then clipped.
    private static byte[] VerticalPass(byte[] source, int width, int rowShift, int firstOutputRow, int outRows, Kernel kernel)
    {
        var stride = width * 3;
        var output = new byte[outRows * stride];
        var accumulator = new int[stride];
        for (var yy = 0; yy < outRows; yy++)
        {
            var y = firstOutputRow + yy;
            var weights = kernel.Weights.AsSpan(y * kernel.Taps, kernel.Count[y]);
            accumulator.AsSpan().Fill(Half);
            for (var t = 0; t < weights.Length; t++)
                MultiplyAdd(source.AsSpan((kernel.First[y] - rowShift + t) * stride, stride), weights[t], accumulator);
            var outRow = output.AsSpan(yy * stride, stride);
            for (var i = 0; i < stride; i++) outRow[i] = Clip(accumulator[i]);
        }
        return output;
    }

    // accumulator[i] += row[i] * weight, exactly (integer arithmetic, so the order of the lanes does not matter).
    private static void MultiplyAdd(ReadOnlySpan<byte> row, int weight, Span<int> accumulator)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated && row.Length >= Vector<byte>.Count)
        {
            var w = new Vector<int>(weight);
            var lanes = Vector<int>.Count;
            var sums = MemoryMarshal.Cast<int, Vector<int>>(accumulator);
            for (; i + Vector<byte>.Count <= row.Length; i += Vector<byte>.Count)
            {
                Vector.Widen(new Vector<byte>(row.Slice(i)), out var low, out var high);
                Vector.Widen(low, out var a, out var b);
                Vector.Widen(high, out var c, out var d);
                var v = i / lanes;
                sums[v] += Vector.AsVectorInt32(a) * w;
                sums[v + 1] += Vector.AsVectorInt32(b) * w;
                sums[v + 2] += Vector.AsVectorInt32(c) * w;
                sums[v + 3] += Vector.AsVectorInt32(d) * w;
            }
        }
        for (; i < row.Length; i++) accumulator[i] += row[i] * weight;
    }

    /// <summary>PIL's NEAREST: sample at the pixel centre, positions accumulated step by step in double as PIL does.</summary>
    private static byte[] Nearest(byte[] source, int inWidth, int inHeight, int outWidth, int outHeight, Window window)
    {
        var stepX = (double)(float)inWidth / outWidth;
        var stepY = (double)(float)inHeight / outHeight;
        var columns = new int[outWidth];
        var xo = stepX * 0.5;
        for (var x = 0; x < outWidth; x++, xo += stepX)
            columns[x] = Math.Min((int)xo, inWidth - 1);

        var output = new byte[window.Width * window.Height * 3];
        var yo = stepY * 0.5;
        for (var y = 0; y < window.Top + window.Height; y++, yo += stepY)
        {
            if (y < window.Top) continue;
            var inRow = Math.Min((int)yo, inHeight - 1) * inWidth * 3;
            var outRow = (y - window.Top) * window.Width * 3;
            for (var x = 0; x < window.Width; x++)
            {
                var p = inRow + (columns[window.Left + x] * 3);
                var o = outRow + (x * 3);
                output[o] = source[p];
                output[o + 1] = source[p + 1];
                output[o + 2] = source[p + 2];
            }
        }
        return output;
    }
}
