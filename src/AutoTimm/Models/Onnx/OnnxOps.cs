using AutoTimm.Native;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace AutoTimm.Models.Onnx;

/// <summary>
/// The ONNX operators the executor runs, as TorchSharp ops that autograd differentiates, each with its attributes
/// and opset variants. An op or variant that is not here fails with an error naming it, its node and its opset.
/// </summary>
internal static class OnnxOps
{
    private static readonly Dictionary<string, Func<OnnxNode, Tensor[]>> Ops = new(StringComparer.Ordinal)
    {
        ["Conv"] = n => [Conv(n)],
        ["MaxPool"] = n => [MaxPool(n)],
        ["AveragePool"] = n => [AveragePool(n)],
        ["GlobalAveragePool"] = n => [n.Input(0).mean(Enumerable.Range(2, (int)n.Input(0).dim() - 2).Select(d => (long)d).ToArray(), keepdim: true)],
        ["GlobalMaxPool"] = n => [GlobalMax(n.Input(0))],
        ["BatchNormalization"] = n => [BatchNormalization(n)],
        ["Relu"] = n => [F.relu(n.Input(0))],
        ["Sigmoid"] = n => [n.Input(0).sigmoid()],
        ["Tanh"] = n => [n.Input(0).tanh()],
        ["Identity"] = n => [n.Input(0).alias()],
        ["Dropout"] = n => [n.Input(0).alias()],
        ["Add"] = n => [n.Input(0) + n.Input(1)],
        ["Sub"] = n => [n.Input(0) - n.Input(1)],
        ["Mul"] = n => [n.Input(0) * n.Input(1)],
        ["Div"] = n => [Div(n.Input(0), n.Input(1))],
        ["MatMul"] = n => [n.Input(0).matmul(n.Input(1))],
        ["Gemm"] = n => [Gemm(n)],
        ["Flatten"] = n => [Flatten(n)],
        ["Reshape"] = n => [Reshape(n)],
        ["Transpose"] = n => [Transpose(n)],
        ["Concat"] = n => [cat(Enumerable.Range(0, n.InputCount).Select(n.Input).ToArray(), Axis(n, n.Int("axis", 0), n.Input(0)))],
        ["Softmax"] = n => [Softmax(n)],
        ["Clip"] = n => [Clip(n)],
        ["Constant"] = n => [Constant(n)],
        ["Shape"] = n => [Shape(n)],
        ["Gather"] = n => [Gather(n)],
        ["Unsqueeze"] = n => [Unsqueeze(n)],
        ["Squeeze"] = n => [Squeeze(n)],
        ["ReduceMean"] = n => [ReduceMean(n)],
    };

    /// <summary>The op types the executor runs.</summary>
    public static IReadOnlyCollection<string> Supported => Ops.Keys;

    /// <summary>Runs a node.</summary>
    /// <exception cref="NotSupportedException">The op or one of its variants is not supported.</exception>
    public static Tensor[] Run(OnnxNode node)
    {
        if (node.Proto.Domain is not ("" or "ai.onnx"))
            throw new NotSupportedException($"{node.Description}: operators of domain '{node.Proto.Domain}' are not supported");
        return Ops.TryGetValue(node.OpType, out var op)
            ? op(node)
            : throw new NotSupportedException($"{node.Description}: the operator {node.OpType} is not supported (supported: {string.Join(", ", Ops.Keys.Order(StringComparer.Ordinal))})");
    }

    private static long Axis(OnnxNode n, long axis, Tensor of)
    {
        long rank = of.dim();
        if (axis < -rank || axis >= Math.Max(rank, 1)) throw n.Error($"axis {axis} is outside a rank-{rank} tensor");
        return axis < 0 ? axis + rank : axis;
    }

    private static Tensor GlobalMax(Tensor x)
    {
        var flat = x.flatten(2);
        return flat.amax([2], keepdim: true).reshape([.. x.shape[..2], .. Enumerable.Repeat(1L, (int)x.dim() - 2)]);
    }

    // ONNX divides integers with truncation toward zero, like C.
    private static Tensor Div(Tensor a, Tensor b) => a.is_floating_point() || b.is_floating_point() ? a / b : a.div(b, RoundingMode.trunc);

    /// <summary>
    /// The explicit pads of a convolution or pooling (begin per spatial axis, then end), from <c>pads</c> or from
    /// <c>auto_pad</c> (SAME_UPPER puts the odd pixel at the end, SAME_LOWER at the beginning).
    /// </summary>
    private static long[] Pads(OnnxNode n, Tensor x, long[] kernel, long[] strides, long[] dilations)
    {
        int spatial = kernel.Length;
        var autoPad = n.String("auto_pad", "NOTSET");
        switch (autoPad)
        {
            case "NOTSET":
                var pads = n.Ints("pads") ?? new long[2 * spatial];
                if (pads.Length != 2 * spatial) throw n.Error($"pads has {pads.Length} values for {spatial} spatial axes");
                return pads;
            case "VALID":
                return new long[2 * spatial];
            case "SAME_UPPER":
            case "SAME_LOWER":
                var result = new long[2 * spatial];
                for (int i = 0; i < spatial; i++)
                {
                    long size = x.shape[2 + i], output = (size + strides[i] - 1) / strides[i];
                    long total = Math.Max(0, (output - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - size);
                    long small = total / 2, large = total - small;
                    (result[i], result[spatial + i]) = autoPad == "SAME_UPPER" ? (small, large) : (large, small);
                }
                return result;
            default:
                throw n.Unsupported($"auto_pad '{autoPad}'");
        }
    }

    private static bool Symmetric(long[] pads) => pads.Take(pads.Length / 2).SequenceEqual(pads.Skip(pads.Length / 2));

    /// <summary>Pads the spatial axes explicitly (F.pad takes the last axis first).</summary>
    private static Tensor PadSpatial(Tensor x, long[] pads, double value)
    {
        int spatial = pads.Length / 2;
        var order = new long[2 * spatial];
        for (int i = 0; i < spatial; i++)
        {
            order[2 * i] = pads[spatial - 1 - i];
            order[2 * i + 1] = pads[2 * spatial - 1 - i];
        }
        return F.pad(x, order, PaddingModes.Constant, value);
    }

    private static (long[] Kernel, long[] Strides, long[] Dilations) Window(OnnxNode n, long[] kernel)
    {
        int spatial = kernel.Length;
        var strides = n.Ints("strides") ?? Enumerable.Repeat(1L, spatial).ToArray();
        var dilations = n.Ints("dilations") ?? Enumerable.Repeat(1L, spatial).ToArray();
        if (strides.Length != spatial || dilations.Length != spatial) throw n.Error($"strides or dilations do not have {spatial} values");
        return (kernel, strides, dilations);
    }

    private static Tensor Conv(OnnxNode n)
    {
        var x = n.Input(0);
        var w = n.Input(1);
        var b = n.Optional(2);
        int spatial = (int)w.dim() - 2;
        if (spatial != 2) throw n.Unsupported($"a {spatial}-d convolution");
        var kernel = n.Ints("kernel_shape") ?? w.shape[2..];
        if (!kernel.SequenceEqual(w.shape[2..])) throw n.Error($"kernel_shape [{string.Join(", ", kernel)}] differs from the weight's [{string.Join(", ", w.shape[2..])}]");
        var (_, strides, dilations) = Window(n, kernel);
        var pads = Pads(n, x, kernel, strides, dilations);
        long groups = n.Int("group", 1);
        long[] padding = pads[..spatial];
        if (!Symmetric(pads))
        {
            x = PadSpatial(x, pads, 0);
            padding = new long[spatial];
        }
        return F.conv2d(x, w, b, strides, padding, dilations, groups);
    }

    private static Tensor MaxPool(OnnxNode n)
    {
        if (n.Proto.Output.Count > 1 && n.Proto.Output[1].Length > 0) throw n.Unsupported("the Indices output");
        var x = n.Input(0);
        var kernel = n.Ints("kernel_shape") ?? throw n.Error("kernel_shape is missing");
        var (_, strides, dilations) = Window(n, kernel);
        var pads = Pads(n, x, kernel, strides, dilations);
        bool ceil = n.Int("ceil_mode", 0) != 0;
        if (kernel.Length != 2) throw n.Unsupported($"{kernel.Length}-d max pooling");
        long[] padding = pads[..2];
        if (!Symmetric(pads))
        {
            // Padded with -inf: padding never wins a max.
            x = PadSpatial(x, pads, double.NegativeInfinity);
            padding = [0, 0];
        }
        return F.max_pool2d(x, kernel, strides, padding, dilations, ceil);
    }

    private static Tensor AveragePool(OnnxNode n)
    {
        var x = n.Input(0);
        var kernel = n.Ints("kernel_shape") ?? throw n.Error("kernel_shape is missing");
        var (_, strides, dilations) = Window(n, kernel);
        if (dilations.Any(d => d != 1)) throw n.Unsupported("dilated average pooling");
        if (kernel.Length != 2) throw n.Unsupported($"{kernel.Length}-d average pooling");
        var pads = Pads(n, x, kernel, strides, dilations);
        bool ceil = n.Int("ceil_mode", 0) != 0, includePad = n.Int("count_include_pad", 0) != 0;
        if (Symmetric(pads) && pads.All(p => p * 2 <= kernel[0] && p * 2 <= kernel[1]))
            return F.avg_pool2d(x, kernel, strides, pads[..2], ceil, includePad);
        if (ceil) throw n.Unsupported("ceil_mode with asymmetric pads");
        // Sums over explicitly padded windows, divided by the window size or by the count of real pixels.
        var padded = PadSpatial(x, pads, 0);
        var sums = F.avg_pool2d(padded, kernel, strides) * (double)(kernel[0] * kernel[1]);
        if (includePad) return sums / (double)(kernel[0] * kernel[1]);
        using var ones = ones_like(x.select(1, 0).unsqueeze(1));
        var counts = F.avg_pool2d(PadSpatial(ones, pads, 0), kernel, strides) * (double)(kernel[0] * kernel[1]);
        return sums / counts;
    }

    private static Tensor BatchNormalization(OnnxNode n)
    {
        if (n.Int("training_mode", 0) != 0) throw n.Unsupported("training_mode 1");
        var (x, scale, bias, mean, variance) = (n.Input(0), n.Input(1), n.Input(2), n.Input(3), n.Input(4));
        double epsilon = n.Float("epsilon", 1e-5f);
        var shape = new long[x.dim()];
        Array.Fill(shape, 1L);
        shape[1] = -1;
        using var eps = Scalars.Of(epsilon);
        return (x - mean.reshape(shape)) * (scale / (variance + eps).sqrt()).reshape(shape) + bias.reshape(shape);
    }

    private static Tensor Gemm(OnnxNode n)
    {
        var a = n.Input(0);
        var b = n.Input(1);
        if (n.Int("transA", 0) != 0) a = a.t();
        if (n.Int("transB", 0) != 0) b = b.t();
        double alpha = n.Float("alpha", 1), beta = n.Float("beta", 1);
        var product = a.matmul(b);
        if (alpha != 1) product *= alpha;
        if (n.Optional(2) is not { } c) return product;
        return beta == 1 ? product + c : product + c * beta;
    }

    private static Tensor Flatten(OnnxNode n)
    {
        var x = n.Input(0);
        long rank = x.dim(), axis = n.Int("axis", 1);
        if (axis < -rank || axis > rank) throw n.Error($"axis {axis} is outside a rank-{rank} tensor");
        if (axis < 0) axis += rank;
        long outer = x.shape[..(int)axis].Aggregate(1L, (p, d) => p * d);
        return x.reshape(outer, -1);
    }

    private static Tensor Reshape(OnnxNode n)
    {
        var x = n.Input(0);
        var shape = n.IntsInput(1) ?? throw n.Error("the shape input is missing");
        bool allowZero = n.Int("allowzero", 0) != 0;
        if (!allowZero)
            for (int i = 0; i < shape.Length; i++)
                if (shape[i] == 0)
                    shape[i] = i < x.dim() ? x.shape[i] : throw n.Error($"shape [{string.Join(", ", shape)}] copies axis {i}, which the input lacks");
        return x.reshape(shape);
    }

    private static Tensor Transpose(OnnxNode n)
    {
        var x = n.Input(0);
        var perm = n.Ints("perm") ?? Enumerable.Range(0, (int)x.dim()).Reverse().Select(i => (long)i).ToArray();
        return x.permute(perm);
    }

    private static Tensor Softmax(OnnxNode n)
    {
        var x = n.Input(0);
        if (n.Opset >= 13) return x.softmax(Axis(n, n.Int("axis", -1), x));
        // Before opset 13 the input is flattened to 2-d at axis (default 1) and normalized over the second part.
        long axis = Axis(n, n.Int("axis", 1), x);
        long outer = x.shape[..(int)axis].Aggregate(1L, (p, d) => p * d);
        return x.reshape(outer, -1).softmax(1).reshape(x.shape);
    }

    private static Tensor Clip(OnnxNode n)
    {
        var x = n.Input(0);
        if (n.Opset < 11)
        {
            double low = n.Has("min") ? n.Float("min", 0) : double.NegativeInfinity, high = n.Has("max") ? n.Float("max", 0) : double.PositiveInfinity;
            using Scalar lo = low, hi = high;
            return x.clamp(lo, hi);
        }
        var result = x;
        if (n.Optional(1) is { } min) result = result.maximum(min.to_type(x.dtype));
        if (n.Optional(2) is { } max) result = result.minimum(max.to_type(x.dtype));
        return ReferenceEquals(result, x) ? x.alias() : result;
    }

    private static Tensor Constant(OnnxNode n)
    {
        if (n.TensorAttribute("value") is { } t) return OnnxTensors.ToTensor(t);
        if (n.Has("value_float")) return tensor(n.Float("value_float", 0));
        if (n.Has("value_int")) return tensor(n.Int("value_int", 0));
        if (n.Ints("value_ints") is { } ints) return tensor(ints);
        if (n.Proto.Attribute.FirstOrDefault(a => a.Name == "value_floats") is { } floats) return tensor(floats.Floats.ToArray());
        throw n.Unsupported("a Constant without value, value_float(s) or value_int(s)");
    }

    private static Tensor Shape(OnnxNode n)
    {
        var dims = n.Input(0).shape;
        long rank = dims.Length, start = n.Int("start", 0), end = n.Int("end", rank);
        start = Math.Clamp(start < 0 ? start + rank : start, 0, rank);
        end = Math.Clamp(end < 0 ? end + rank : end, 0, rank);
        return tensor(dims[(int)start..(int)Math.Max(start, end)]);
    }

    private static Tensor Gather(OnnxNode n)
    {
        var data = n.Input(0);
        var indices = n.Input(1).to_type(ScalarType.Int64);
        long axis = Axis(n, n.Int("axis", 0), data), size = data.shape[axis];
        // Negative indices count from the end of the axis.
        using var sizeScalar = Scalars.Of(size);
        var wrapped = indices.lt(Scalars.Of(0)).to_type(ScalarType.Int64) * size + indices;
        return data.index_select(axis, wrapped.flatten()).reshape([.. data.shape[..(int)axis], .. indices.shape, .. data.shape[(int)(axis + 1)..]]);
    }

    private static long[] AxesOf(OnnxNode n, long rank)
    {
        var axes = n.Opset >= 13 ? n.IntsInput(1) : n.Ints("axes");
        return axes?.Select(a => a < 0 ? a + rank : a).ToArray() ?? [];
    }

    private static Tensor Unsqueeze(OnnxNode n)
    {
        var x = n.Input(0);
        var axes = AxesOf(n, x.dim() + (n.Opset >= 13 ? n.IntsInput(1)?.Length ?? 0 : n.Ints("axes")?.Length ?? 0));
        if (axes.Length == 0) throw n.Error("axes are missing");
        var result = x.alias();
        foreach (var axis in axes.Order()) result = result.unsqueeze(axis);
        return result;
    }

    private static Tensor Squeeze(OnnxNode n)
    {
        var x = n.Input(0);
        var axes = AxesOf(n, x.dim());
        if (axes.Length == 0) return x.squeeze();
        foreach (var axis in axes)
            if (x.shape[axis] != 1) throw n.Error($"axis {axis} has size {x.shape[axis]}, not 1");
        var result = x.alias();
        foreach (var axis in axes.OrderDescending()) result = result.squeeze(axis);
        return result;
    }

    private static Tensor ReduceMean(OnnxNode n)
    {
        var x = n.Input(0);
        bool keep = n.Int("keepdims", 1) != 0;
        // Axes are an attribute before opset 18 and an input from it (Squeeze and Unsqueeze moved at 13).
        var axes = (n.Opset >= 18 ? n.IntsInput(1) : n.Ints("axes"))?.Select(a => a < 0 ? a + x.dim() : a).ToArray();
        if (axes is null || axes.Length == 0)
        {
            if (n.Opset >= 18 && n.Int("noop_with_empty_axes", 0) != 0) return x.alias();
            axes = Enumerable.Range(0, (int)x.dim()).Select(a => (long)a).ToArray();
        }
        return x.mean(axes, keepdim: keep);
    }
}
