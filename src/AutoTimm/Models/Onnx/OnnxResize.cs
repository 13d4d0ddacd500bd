using AutoTimm.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoTimm.Models.Onnx;

/// <summary>
/// Resize (opsets 10 to 19) and the older Upsample: every mode (nearest, linear, cubic) by coordinate transformation
/// by nearest mode, with cubic_coeff_a, exclude_outside, extrapolation, antialias, axes and keep_aspect_ratio_policy. Source
/// coordinates are computed in float32 with ONNX Runtime's formulas, so ties round the way it rounds them. Each
/// resized axis becomes a gather of taps (one for nearest, two for linear, four for cubic) and a weighted sum, which
/// autograd differentiates.
/// </summary>
internal static class OnnxResize
{
    private enum Mode { Nearest, Linear, Cubic }

    private sealed record Settings(Mode Mode, string Coordinates, string Nearest, float CubicA, bool ExcludeOutside, float Extrapolation, bool Antialias = false);

    /// <summary>
    /// The taps of one resized axis, <see cref="Count"/> per output index (row-major): the input indices and their
    /// weights, and whether each output lies inside the input (tf_crop_and_resize extrapolates outside).
    /// </summary>
    private sealed record Taps(int Count, long[] Index, float[] Weight, bool[] Inside);

    public static Tensor Resize(OnnxNode n)
    {
        var x = n.Input(0);
        int rank = (int)x.dim();
        var settings = ReadSettings(n, resize: true);
        var axes = n.Opset >= 18 && n.Ints("axes") is { } given ? given.Select(a => a < 0 ? a + rank : a).ToArray() : null;
        if (axes is not null && axes.Any(a => a < 0 || a >= rank)) throw n.Error($"axes [{string.Join(", ", n.Ints("axes")!)}] are outside a rank-{rank} tensor");
        if (n.Opset >= 18 && n.Int("antialias", 0) != 0)
        {
            if (settings.Mode == Mode.Nearest) throw n.Error("antialias 1 needs mode 'linear' or 'cubic'");
            settings = settings with { Antialias = true };
        }

        float[]? scales = null;
        long[]? sizes = null;
        float[]? roi = null;
        if (n.Opset == 10) scales = Floats(n.Optional(1));
        else
        {
            roi = Floats(n.Optional(1));
            scales = Floats(n.Optional(2));
            sizes = n.Optional(3) is { } s && s.numel() > 0 ? n.IntsInput(3) : null;
        }
        if (scales is { Length: 0 }) scales = null;
        if (roi is { Length: 0 }) roi = null;
        if ((scales is null) == (sizes is null)) throw n.Error("exactly one of scales and sizes must be given");

        var inputDims = x.shape;
        var fullScales = new float[rank];
        var outputDims = new long[rank];
        if (scales is not null)
        {
            scales = Spread(n, scales, axes, rank, 1f, "scales");
            if (scales.Any(s => s <= 0)) throw n.Error($"scales [{string.Join(", ", scales)}] must be positive");
            for (int i = 0; i < rank; i++)
            {
                fullScales[i] = scales[i];
                outputDims[i] = (long)(scales[i] * (float)inputDims[i]);
            }
        }
        else
        {
            var dims = Spread(n, sizes!.Select(s => (float)s).ToArray(), axes, rank, float.NaN, "sizes");
            for (int i = 0; i < rank; i++)
            {
                outputDims[i] = float.IsNaN(dims[i]) ? inputDims[i] : (long)dims[i];
                fullScales[i] = inputDims[i] == 0 ? 1f : (float)outputDims[i] / (float)inputDims[i];
            }
            KeepAspectRatio(n, n.Opset >= 18 ? n.String("keep_aspect_ratio_policy", "stretch") : "stretch", axes, inputDims, fullScales, outputDims);
        }

        var regionOfInterest = new float[2 * rank];
        for (int i = 0; i < rank; i++) regionOfInterest[rank + i] = 1f;
        if (roi is not null)
        {
            if (axes is not null)
            {
                if (roi.Length != 2 * axes.Length) throw n.Error($"roi has {roi.Length} values for {axes.Length} axes");
                for (int i = 0; i < axes.Length; i++) (regionOfInterest[axes[i]], regionOfInterest[rank + axes[i]]) = (roi[i], roi[axes.Length + i]);
            }
            else if (roi.Length == 2 * rank) regionOfInterest = roi;
            else throw n.Error($"roi has {roi.Length} values for a rank-{rank} tensor");
        }
        else if (settings.Coordinates == "tf_crop_and_resize") throw n.Error("tf_crop_and_resize needs an roi");

        return Resample(n, x, settings, fullScales, outputDims, regionOfInterest);
    }

    /// <summary>Upsample (opsets 7 to 9): scales as an attribute, then as an input; asymmetric coordinates.</summary>
    public static Tensor Upsample(OnnxNode n)
    {
        var x = n.Input(0);
        int rank = (int)x.dim();
        var settings = ReadSettings(n, resize: false);
        var scales = (n.Opset >= 9 ? Floats(n.Optional(1)) : n.Proto.Attribute.FirstOrDefault(a => a.Name == "scales")?.Floats.ToArray())
            ?? throw n.Error("scales are missing");
        if (scales.Length != rank) throw n.Error($"scales has {scales.Length} values for a rank-{rank} tensor");
        if (scales.Any(s => s < 1)) throw n.Error($"scales [{string.Join(", ", scales)}] must be at least 1");
        var outputDims = Enumerable.Range(0, rank).Select(i => (long)(scales[i] * (float)x.shape[i])).ToArray();
        var roi = new float[2 * rank];
        for (int i = 0; i < rank; i++) roi[rank + i] = 1f;
        return Resample(n, x, settings, scales, outputDims, roi);
    }

    private static Settings ReadSettings(OnnxNode n, bool resize)
    {
        var modeName = n.String("mode", "nearest");
        var mode = modeName switch
        {
            "nearest" => Mode.Nearest,
            "linear" => Mode.Linear,
            "cubic" when resize && n.Opset >= 11 => Mode.Cubic,
            _ => throw n.Unsupported($"mode '{modeName}'"),
        };
        // Before opset 11 the coordinates were asymmetric and nearest truncated (ceil when shrinking).
        bool modern = resize && n.Opset >= 11;
        var coordinates = modern ? n.String("coordinate_transformation_mode", "half_pixel") : "asymmetric";
        if (coordinates is not ("half_pixel" or "half_pixel_symmetric" or "pytorch_half_pixel" or "align_corners" or "asymmetric" or "tf_half_pixel_for_nn" or "tf_crop_and_resize"))
            throw n.Unsupported($"coordinate_transformation_mode '{coordinates}'");
        var nearest = mode == Mode.Nearest && modern ? n.String("nearest_mode", "round_prefer_floor") : "simple";
        if (nearest is not ("simple" or "round_prefer_floor" or "round_prefer_ceil" or "floor" or "ceil")) throw n.Unsupported($"nearest_mode '{nearest}'");
        bool exclude = n.Int("exclude_outside", 0) != 0;
        if (exclude && mode != Mode.Cubic && !(mode == Mode.Linear && n.Opset >= 18 && n.Int("antialias", 0) != 0))
            throw n.Error("exclude_outside 1 needs mode 'cubic' (or 'linear' with antialias 1)");
        return new Settings(mode, coordinates, nearest, n.Float("cubic_coeff_a", -0.75f), exclude, n.Float("extrapolation_value", 0f));
    }

    private static float[]? Floats(Tensor? t) => t is null ? null : t.numel() == 0 ? [] : t.to_type(ScalarType.Float32).CopyToArray<float>();

    /// <summary>Per-axis values given for <paramref name="axes"/> only (opset 18), spread over all axes.</summary>
    private static float[] Spread(OnnxNode n, float[] values, long[]? axes, int rank, float fill, string what)
    {
        if (axes is null)
        {
            if (values.Length != rank) throw n.Error($"{what} has {values.Length} values for a rank-{rank} tensor");
            return values;
        }
        if (values.Length != axes.Length) throw n.Error($"{what} has {values.Length} values for {axes.Length} axes");
        var full = Enumerable.Repeat(fill, rank).ToArray();
        for (int i = 0; i < axes.Length; i++) full[axes[i]] = values[i];
        return full;
    }

    // Opset 18: with sizes, not_larger and not_smaller use one scale for every resized axis, the smallest or the largest.
    private static void KeepAspectRatio(OnnxNode n, string policy, long[]? axes, long[] inputDims, float[] scales, long[] outputDims)
    {
        if (policy == "stretch") return;
        if (policy is not ("not_larger" or "not_smaller")) throw n.Unsupported($"keep_aspect_ratio_policy '{policy}'");
        bool Resized(int i) => axes is null || axes.Contains(i);
        var chosen = Enumerable.Range(0, scales.Length).Where(Resized).Select(i => scales[i]);
        float scale = policy == "not_larger" ? chosen.Min() : chosen.Max();
        for (int i = 0; i < scales.Length; i++)
        {
            scales[i] = Resized(i) ? scale : 1f;
            outputDims[i] = Resized(i) ? (long)MathF.Round(scale * inputDims[i], MidpointRounding.AwayFromZero) : inputDims[i];
        }
    }

    private static Tensor Resample(OnnxNode n, Tensor x, Settings settings, float[] scales, long[] outputDims, float[] roi)
    {
        int rank = (int)x.dim();
        if (outputDims.Any(d => d < 0)) throw n.Error($"the output shape [{string.Join(", ", outputDims)}] is negative");
        if (outputDims.SequenceEqual(x.shape)) return x.alias();
        if (settings.Mode != Mode.Nearest && !x.is_floating_point()) throw n.Unsupported($"{settings.Mode.ToString().ToLowerInvariant()} resizing of {x.dtype} tensors");
        var result = x;
        Tensor? inside = null;
        for (int axis = 0; axis < rank; axis++)
        {
            // An axis kept at scale 1 maps each output index to the same input index, whatever the coordinates.
            if (scales[axis] == 1f && outputDims[axis] == x.shape[axis]) continue;
            var taps = AxisTaps(settings, x.shape[axis], outputDims[axis], scales[axis], roi[axis], roi[rank + axis]);
            result = Gather(result, axis, taps);
            if (settings.Coordinates == "tf_crop_and_resize")
            {
                var shape = Enumerable.Repeat(1L, rank).ToArray();
                shape[axis] = outputDims[axis];
                var mask = tensor(taps.Inside, device: x.device).reshape(shape);
                inside = inside is null ? mask : inside.logical_and(mask);
            }
        }
        if (inside is null) return ReferenceEquals(result, x) ? x.alias() : result;
        using Scalar value = (double)settings.Extrapolation;
        using var fill = full([1], value, result.dtype, result.device);
        return where(inside, result, fill);
    }

    /// <summary>Gathers the taps of one axis and sums them with their weights.</summary>
    private static Tensor Gather(Tensor x, int axis, Taps taps)
    {
        int outputs = taps.Inside.Length;
        using var index = tensor(taps.Index, device: x.device);
        var picked = x.index_select(axis, index);
        if (taps.Count == 1) return picked;
        long[] shape = [.. x.shape[..axis], outputs, taps.Count, .. x.shape[(axis + 1)..]];
        long[] weightShape = [outputs, taps.Count, .. Enumerable.Repeat(1L, (int)x.dim() - axis - 1)];
        using var weight = tensor(taps.Weight, device: x.device).to_type(x.dtype).reshape(weightShape);
        return picked.reshape(shape).mul(weight).sum(axis + 1);
    }

    /// <summary>
    /// The taps of every output index along one axis: its source coordinate in float32 as ONNX Runtime computes it,
    /// then the mode's taps around it.
    /// </summary>
    private static Taps AxisTaps(Settings settings, long inputLength, long outputLength, float scale, float roiStart, float roiEnd)
    {
        var (count, fill) = settings switch
        {
            { Antialias: true } => Antialiased(settings, scale),
            { Mode: Mode.Nearest } => (1, (Fill)((original, last, index, weight) =>
            {
                index[0] = Math.Clamp(NearestPixel(settings.Nearest, original, scale < 1), 0, last);
                weight[0] = 1f;
            })),
            { Mode: Mode.Linear } => (2, Linear),
            _ => (4, (original, last, index, weight) => Cubic(settings, original, last, index, weight)),
        };
        var taps = new Taps(count, new long[outputLength * count], new float[outputLength * count], new bool[outputLength]);
        long lastIndex = inputLength - 1;
        for (long o = 0; o < outputLength; o++)
        {
            float original = Original(settings.Coordinates, o, scale, outputLength, inputLength, roiStart, roiEnd);
            taps.Inside[o] = !(original < 0 || original > lastIndex);
            fill(original, lastIndex, taps.Index.AsSpan((int)(o * count), count), taps.Weight.AsSpan((int)(o * count), count));
        }
        return taps;
    }

    /// <summary>Writes one output index's taps: input indices and weights (unused taps keep index 0, weight 0).</summary>
    private delegate void Fill(float original, long last, Span<long> index, Span<float> weight);

    // The two pixels around the clamped coordinate, weighted by distance (both 0.5 at the edge, where they coincide).
    private static void Linear(float original, long last, Span<long> index, Span<float> weight)
    {
        float v = Math.Max(0f, Math.Min(original, last));
        long low = Math.Min((long)v, last), high = Math.Min(low + 1, last);
        float toLow = Math.Abs(v - low), toHigh = Math.Abs(v - high);
        if (low == high) toLow = toHigh = 0.5f;
        (index[0], weight[0], index[1], weight[1]) = (low, toHigh, high, toLow);
    }

    // Four pixels around the coordinate with Keys' weights; past the edge they repeat the edge pixel, or with
    // exclude_outside they drop out and the rest are renormalized.
    private static void Cubic(Settings settings, float original, long last, Span<long> index, Span<float> weight)
    {
        long floor = (long)MathF.Floor(original);
        var coefficients = CubicCoefficients(original - floor, settings.CubicA);
        float sum = 0;
        for (int k = 0; k < 4; k++)
        {
            long at = floor - 1 + k;
            if (settings.ExcludeOutside && (at < 0 || at > last)) coefficients[k] = 0;
            sum += coefficients[k];
            index[k] = Math.Clamp(at, 0, last);
        }
        for (int k = 0; k < 4; k++) weight[k] = settings.ExcludeOutside ? coefficients[k] / sum : coefficients[k];
    }

    /// <summary>
    /// Opset 18's antialiased taps (Pillow's resampling, as ONNX Runtime implements it): when shrinking, the triangle or
    /// cubic filter is stretched by 1/scale so every input pixel under an output pixel contributes; weights are
    /// normalized to sum to 1, and taps past the edge fold onto the edge pixel unless exclude_outside drops them.
    /// </summary>
    private static (int Count, Fill Fill) Antialiased(Settings settings, float scale)
    {
        float support = settings.Mode == Mode.Cubic ? 2f : 1f;
        float stretch = 1f / scale;
        if (stretch >= 1f) support *= stretch;
        float inverse = stretch >= 1f ? 1f / stretch : 1f;
        int window = (int)MathF.Ceiling(support) * 2 + 1;
        return (window, (original, last, index, weight) =>
        {
            float center = original + 0.5f;
            long first = (long)MathF.Floor(center - support + 0.5f), end = (long)MathF.Floor(center + support + 0.5f);
            end = first + Math.Clamp(end - first, 0, window);
            if (settings.ExcludeOutside) (first, end) = (Math.Clamp(first, 0, last + 1), Math.Clamp(end, 0, last + 1));
            float total = 0;
            var taps = new SortedDictionary<long, float>();
            for (long at = first; at < end; at++)
            {
                float w = Filter(settings, (at - center + 0.5f) * inverse);
                total += w;
                long clamped = Math.Clamp(at, 0, last);
                taps[clamped] = taps.GetValueOrDefault(clamped) + w;
            }
            float normalizer = total == 0 ? 1f : 1f / total;
            int k = 0;
            foreach (var (at, w) in taps)
            {
                index[k] = at;
                weight[k++] = w * normalizer;
            }
        });
    }

    // Pillow's triangle filter, and its cubic (Keys) filter with cubic_coeff_a.
    private static float Filter(Settings settings, float x)
    {
        x = Math.Abs(x);
        float a = settings.CubicA;
        if (settings.Mode == Mode.Linear) return x < 1f ? 1f - x : 0f;
        if (x < 1f) return ((a + 2f) * x - (a + 3f)) * x * x + 1;
        return x < 2f ? (((x - 5f) * x + 8f) * x - 4f) * a : 0f;
    }

    /// <summary>The input coordinate of output index <paramref name="resized"/>, in float32 as ONNX Runtime computes it.</summary>
    private static float Original(string mode, long resized, float scale, long outputLength, long inputLength, float roiStart, float roiEnd)
    {
        float x = resized, lengthResized = outputLength, lengthOriginal = inputLength;
        return mode switch
        {
            "asymmetric" => x / scale,
            "pytorch_half_pixel" => lengthResized > 1 ? (x + 0.5f) / scale - 0.5f : 0f,
            "tf_half_pixel_for_nn" => (x + 0.5f) / scale,
            "align_corners" => lengthResized == 1 ? 0f : x * (lengthOriginal - 1) / (lengthResized - 1),
            "tf_crop_and_resize" => lengthResized > 1
                ? roiStart * (lengthOriginal - 1) + x * (roiEnd - roiStart) * (lengthOriginal - 1) / (lengthResized - 1)
                : (float)(0.5 * (roiStart + roiEnd) * (lengthOriginal - 1)),
            "half_pixel_symmetric" => HalfPixelSymmetric(x, scale, lengthResized, lengthOriginal),
            _ => (x + 0.5f) / scale - 0.5f,
        };
    }

    private static float HalfPixelSymmetric(float x, float scale, float lengthResized, float lengthOriginal)
    {
        float adjustment = lengthResized / (scale * lengthOriginal), center = lengthOriginal / 2;
        float offset = center * (1 - adjustment);
        return (float)(offset + (x + 0.5) / scale - 0.5);
    }

    private static long NearestPixel(string mode, float original, bool shrinking) => mode switch
    {
        // Opsets before 11 truncate, or take the ceiling when shrinking.
        "simple" => shrinking ? (long)MathF.Ceiling(original) : (long)original,
        "round_prefer_ceil" => (long)MathF.Round(original, MidpointRounding.AwayFromZero),
        "floor" => (long)MathF.Floor(original),
        "ceil" => (long)MathF.Ceiling(original),
        _ => original == (long)original + 0.5f ? (long)MathF.Floor(original) : (long)MathF.Round(original, MidpointRounding.AwayFromZero),
    };

    /// <summary>Keys' cubic convolution weights of the four taps around a point at fraction <paramref name="s"/> past the first inner tap.</summary>
    private static float[] CubicCoefficients(float s, float a)
    {
        s = Math.Abs(s);
        return
        [
            ((a * (s + 1) - 5 * a) * (s + 1) + 8 * a) * (s + 1) - 4 * a,
            ((a + 2) * s - (a + 3)) * s * s + 1,
            ((a + 2) * (1 - s) - (a + 3)) * (1 - s) * (1 - s) + 1,
            ((a * (2 - s) - 5 * a) * (2 - s) + 8 * a) * (2 - s) - 4 * a,
        ];
    }
}
