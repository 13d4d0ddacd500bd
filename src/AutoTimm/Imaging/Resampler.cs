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

    public static byte[] Resize(byte[] source, int inWidth, int inHeight, int outWidth, int outHeight, ResizeInterpolation interpolation)
    {
        switch (interpolation)
        {
            case ResizeInterpolation.Nearest:
                return Nearest(source, inWidth, inHeight, outWidth, outHeight);
            case ResizeInterpolation.Bilinear:
                return Convolve(source, inWidth, inHeight, outWidth, outHeight, Triangle, 1.0);
            case ResizeInterpolation.Bicubic:
                return Convolve(source, inWidth, inHeight, outWidth, outHeight, Cubic, 2.0);
            default:
                throw new ArgumentOutOfRangeException(nameof(interpolation), interpolation, "Unknown interpolation.");
        }
    }

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

    private static byte[] Convolve(byte[] source, int inWidth, int inHeight, int outWidth, int outHeight, Func<double, double> filter, double support)
    {
        var horizontal = Precompute(inWidth, outWidth, filter, support);
        var vertical = Precompute(inHeight, outHeight, filter, support);
        var needHorizontal = outWidth != inWidth;
        var needVertical = outHeight != inHeight;

        var image = source;
        var width = inWidth;
        var rowShift = 0;
        if (needHorizontal)
        {
            // Only the source rows the vertical pass will read are resampled horizontally.
            var firstRow = needVertical ? vertical.First[0] : 0;
            var lastRow = needVertical ? vertical.First[outHeight - 1] + vertical.Count[outHeight - 1] : inHeight;
            image = HorizontalPass(source, inWidth, firstRow, lastRow - firstRow, outWidth, horizontal);
            width = outWidth;
            rowShift = firstRow;
        }
        if (!needVertical) return image == source ? (byte[])source.Clone() : image;
        return VerticalPass(image, width, rowShift, outHeight, vertical);
    }

    private static byte[] HorizontalPass(byte[] source, int inWidth, int firstRow, int rows, int outWidth, Kernel kernel)
    {
        var output = new byte[rows * outWidth * 3];
        var weights = kernel.Weights;
        for (var y = 0; y < rows; y++)
        {
            var inRow = (firstRow + y) * inWidth * 3;
            var outRow = y * outWidth * 3;
            for (var xx = 0; xx < outWidth; xx++)
            {
                int r = Half, g = Half, b = Half;
                var w0 = xx * kernel.Taps;
                var p = inRow + (kernel.First[xx] * 3);
                var n = kernel.Count[xx];
                for (var t = 0; t < n; t++, p += 3)
                {
                    var w = weights[w0 + t];
                    r += source[p] * w;
                    g += source[p + 1] * w;
                    b += source[p + 2] * w;
                }
                var o = outRow + (xx * 3);
                output[o] = Clip(r);
                output[o + 1] = Clip(g);
                output[o + 2] = Clip(b);
            }
        }
        return output;
    }

    private static byte[] VerticalPass(byte[] source, int width, int rowShift, int outHeight, Kernel kernel)
    {
        var stride = width * 3;
        var output = new byte[outHeight * stride];
        var weights = kernel.Weights;
        for (var yy = 0; yy < outHeight; yy++)
        {
            var w0 = yy * kernel.Taps;
            var firstRow = (kernel.First[yy] - rowShift) * stride;
            var n = kernel.Count[yy];
            var outRow = yy * stride;
            for (var i = 0; i < stride; i += 3)
            {
                int r = Half, g = Half, b = Half;
                var p = firstRow + i;
                for (var t = 0; t < n; t++, p += stride)
                {
                    var w = weights[w0 + t];
                    r += source[p] * w;
                    g += source[p + 1] * w;
                    b += source[p + 2] * w;
                }
                output[outRow + i] = Clip(r);
                output[outRow + i + 1] = Clip(g);
                output[outRow + i + 2] = Clip(b);
            }
        }
        return output;
    }

    /// <summary>PIL's NEAREST: sample at the pixel centre, positions accumulated step by step in double as PIL does.</summary>
    private static byte[] Nearest(byte[] source, int inWidth, int inHeight, int outWidth, int outHeight)
    {
        var stepX = (double)(float)inWidth / outWidth;
        var stepY = (double)(float)inHeight / outHeight;
        var columns = new int[outWidth];
        var xo = stepX * 0.5;
        for (var x = 0; x < outWidth; x++, xo += stepX)
            columns[x] = Math.Min((int)xo, inWidth - 1);

        var output = new byte[outWidth * outHeight * 3];
        var yo = stepY * 0.5;
        for (var y = 0; y < outHeight; y++, yo += stepY)
        {
            var inRow = Math.Min((int)yo, inHeight - 1) * inWidth * 3;
            var outRow = y * outWidth * 3;
            for (var x = 0; x < outWidth; x++)
            {
                var p = inRow + (columns[x] * 3);
                var o = outRow + (x * 3);
                output[o] = source[p];
                output[o + 1] = source[p + 1];
                output[o + 2] = source[p + 2];
            }
        }
        return output;
    }
}
