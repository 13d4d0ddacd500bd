using AutoTimm.Models.Architectures;
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
        ["ConvTranspose"] = n => [ConvTranspose(n)],
        ["Resize"] = n => [OnnxResize.Resize(n)],
        ["Upsample"] = n => [OnnxResize.Upsample(n)],
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
        ["Add"] = n => [n.Input(0).add(n.Input(1), Scalars.One)],
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
        ["ReduceMean"] = n => [Reduce(n, (x, axes, keep) => x.mean(axes, keepdim: keep), 18)],
        ["ReduceSum"] = n => [Reduce(n, (x, axes, keep) => x.sum(axes, keepdim: keep), 13)],
        ["ReduceMax"] = n => [Reduce(n, (x, axes, keep) => x.amax(axes, keepdim: keep), 18)],
        ["HardSigmoid"] = n => [HardSigmoid(n)],
        ["HardSwish"] = n => [F.hardswish(n.Input(0))],
        ["Erf"] = n => [n.Input(0).erf()],
        ["Sqrt"] = n => [n.Input(0).sqrt()],
        ["Exp"] = n => [n.Input(0).exp()],
        ["Log"] = n => [n.Input(0).log()],
        ["Neg"] = n => [n.Input(0).neg()],
        ["Abs"] = n => [n.Input(0).abs()],
        ["Reciprocal"] = n => [n.Input(0).reciprocal()],
        ["Pow"] = n => [n.Input(0).pow(n.Input(1).to_type(n.Input(0).dtype))],
        ["Max"] = n => [Enumerable.Range(1, n.InputCount - 1).Aggregate(n.Input(0), (m, i) => m.maximum(n.Input(i)))],
        ["Min"] = n => [Enumerable.Range(1, n.InputCount - 1).Aggregate(n.Input(0), (m, i) => m.minimum(n.Input(i)))],
        ["Equal"] = n => [n.Input(0).eq(n.Input(1))],
        ["Less"] = n => [n.Input(0).lt(n.Input(1))],
        ["Greater"] = n => [n.Input(0).gt(n.Input(1))],
        ["Where"] = n => [where(n.Input(0).to_type(ScalarType.Bool), n.Input(1), n.Input(2))],
        ["LayerNormalization"] = n => [LayerNormalization(n)],
        ["ConstantOfShape"] = n => [ConstantOfShape(n)],
        ["Expand"] = n => [Expand(n)],
        ["Slice"] = n => [Slice(n)],
        ["Cast"] = n => [Cast(n)],
        ["Pad"] = n => [Pad(n)],
        ["Split"] = Split,
        ["Tile"] = n => [n.Input(0).tile(n.IntsInput(1) ?? throw n.Error("repeats are missing"))],
        ["Mod"] = n => [Mod(n)],
        ["Not"] = n => [n.Input(0).logical_not()],
        ["ScatterND"] = n => [ScatterND(n)],
        ["Range"] = n => [Range(n)],
        ["LeakyRelu"] = n => [Scaled(n, "alpha", 0.01f, (x, alpha) => x.leaky_relu(alpha))],
        ["Elu"] = n => [Scaled(n, "alpha", 1f, (x, alpha) => x.elu(alpha, Scalars.One, Scalars.One))],
        ["Celu"] = n => [Scaled(n, "alpha", 1f, (x, alpha) => x.celu(alpha))],
        ["Selu"] = n => [Selu(n)],
        ["ThresholdedRelu"] = n => [ThresholdedRelu(n)],
        ["PRelu"] = n => [PRelu(n)],
        ["Softplus"] = n => [Softplus(n.Input(0))],
        ["Softsign"] = n => [n.Input(0).div(n.Input(0).abs().add(Scalars.One, Scalars.One))],
        ["Gelu"] = n => [Gelu(n)],
        ["InstanceNormalization"] = n => [InstanceNormalization(n)],
        ["GroupNormalization"] = n => [GroupNormalization(n)],
        ["Sum"] = n => [Enumerable.Range(1, n.InputCount - 1).Aggregate(n.Input(0), (m, i) => m.add(n.Input(i), Scalars.One))],
        ["Mean"] = n => [Mean(n)],
        ["Floor"] = n => [n.Input(0).floor()],
        ["Ceil"] = n => [n.Input(0).ceil()],
        ["Round"] = n => [n.Input(0).round()],
        ["Sign"] = n => [n.Input(0).sign()],
        ["GreaterOrEqual"] = n => [n.Input(0).ge(n.Input(1))],
        ["LessOrEqual"] = n => [n.Input(0).le(n.Input(1))],
        ["And"] = n => [n.Input(0).logical_and(n.Input(1))],
        ["Or"] = n => [n.Input(0).logical_or(n.Input(1))],
        ["Xor"] = n => [n.Input(0).logical_xor(n.Input(1))],
        ["ReduceMin"] = n => [Reduce(n, (x, axes, keep) => x.amin(axes, keepdim: keep), 18)],
        ["ReduceProd"] = n => [Reduce(n, ReduceProduct, 18)],
        ["ReduceL1"] = n => [Reduce(n, (x, axes, keep) => x.abs().sum(axes, keepdim: keep), 18)],
        ["ReduceL2"] = n => [Reduce(n, (x, axes, keep) => x.mul(x).sum(axes, keepdim: keep).sqrt(), 18)],
        ["ReduceSumSquare"] = n => [Reduce(n, (x, axes, keep) => x.mul(x).sum(axes, keepdim: keep), 18)],
        ["ReduceLogSumExp"] = n => [Reduce(n, LogSumExp, 18)],
        ["ArgMax"] = n => [ArgExtreme(n, max: true)],
        ["ArgMin"] = n => [ArgExtreme(n, max: false)],
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

    private static double Number(Tensor scalar) => scalar.to_type(ScalarType.Float64).item<double>();

    private static Tensor Range(OnnxNode n)
    {
        using Scalar start = Number(n.Input(0)), limit = Number(n.Input(1)), delta = Number(n.Input(2));
        return arange(start, limit, delta, n.Input(0).dtype);
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

    /// <summary>A 2-d convolution's or transposed convolution's kernel, strides and dilations, checked against its weight.</summary>
    private static (long[] Kernel, long[] Strides, long[] Dilations) ConvolutionWindow(OnnxNode n, Tensor w, string what)
    {
        int spatial = (int)w.dim() - 2;
        if (spatial != 2) throw n.Unsupported($"a {spatial}-d {what}");
        var kernel = n.Ints("kernel_shape") ?? w.shape[2..];
        if (!kernel.SequenceEqual(w.shape[2..])) throw n.Error($"kernel_shape [{string.Join(", ", kernel)}] differs from the weight's [{string.Join(", ", w.shape[2..])}]");
        return Window(n, kernel);
    }

    private static Tensor Conv(OnnxNode n)
    {
        var (x, w, b) = (n.Input(0), n.Input(1), n.Optional(2));
        var (kernel, strides, dilations) = ConvolutionWindow(n, w, "convolution");
        int spatial = kernel.Length;
        var pads = Pads(n, x, kernel, strides, dilations);
        long groups = n.Int("group", 1);
        long[] padding = pads[..spatial];
        if (!Symmetric(pads))
        {
            x = PadSpatial(x, pads, 0);
            padding = new long[spatial];
        }
        return SpaceToDepthConvolution.Conv2d(x, w, b, strides, padding, dilations, groups);
    }

    /// <summary>
    /// ConvTranspose with its pads, output_padding, output_shape and auto_pad as ONNX Runtime resolves them: the full
    /// transposed convolution is computed unpadded, then cut to the output window (output_padding reaches past the
    /// full result, where only the bias lands).
    /// </summary>
    private static Tensor ConvTranspose(OnnxNode n)
    {
        var (x, w, b) = (n.Input(0), n.Input(1), n.Optional(2));
        var (kernel, strides, dilations) = ConvolutionWindow(n, w, "transposed convolution");
        int spatial = kernel.Length;
        long groups = n.Int("group", 1);
        var outputPadding = n.Ints("output_padding") ?? new long[spatial];
        var outputShape = n.Ints("output_shape");
        var autoPad = n.String("auto_pad", "NOTSET");
        if (outputPadding.Length != spatial) throw n.Error($"output_padding has {outputPadding.Length} values for {spatial} spatial axes");
        if (outputShape is not null && outputShape.Length != spatial && outputShape.Length != spatial + 2) throw n.Error($"output_shape has {outputShape.Length} values for {spatial} spatial axes");
        if (autoPad is not ("NOTSET" or "VALID" or "SAME_UPPER" or "SAME_LOWER")) throw n.Unsupported($"auto_pad '{autoPad}'");
        var pads = n.Ints("pads") ?? new long[2 * spatial];
        if (pads.Length != 2 * spatial) throw n.Error($"pads has {pads.Length} values for {spatial} spatial axes");
        if (autoPad == "VALID") pads = new long[2 * spatial];
        var full = F.conv_transpose2d(x, w, null, strides, [0, 0], [0, 0], dilations, groups);
        var result = full;
        for (int i = 0; i < spatial; i++)
        {
            long input = x.shape[2 + i], natural = (input - 1) * strides[i] + outputPadding[i] + (kernel[i] - 1) * dilations[i] + 1;
            long begin = pads[i], end = pads[spatial + i];
            long? shape = outputShape?[outputShape.Length - spatial + i];
            if ((shape ?? (autoPad is "SAME_UPPER" or "SAME_LOWER" ? input * strides[i] : null)) is { } size)
            {
                // The total padding that yields the requested size; SAME_UPPER cuts the odd pixel from the end, the others from the beginning.
                long total = Math.Max(0, natural - size);
                (begin, end) = autoPad == "SAME_UPPER" ? (total / 2, total - total / 2) : (total - total / 2, total / 2);
            }
            // An explicit output_shape is the output's size even where it exceeds the unpadded result.
            long length = shape ?? natural - begin - end;
            if (length <= 0) throw n.Error($"the output of spatial axis {i} would have size {length}");
            // Past the unpadded result lie output_padding's rows, which only the bias reaches.
            long available = full.shape[2 + i] - begin;
            if (available < length)
            {
                var padding = new long[4];
                padding[2 * (spatial - 1 - i) + 1] = length - available;
                result = F.pad(result, padding);
            }
            result = result.narrow(2 + i, begin, length);
        }
        if (b is not null) result = result.add(b.reshape(1, -1, 1, 1), Scalars.One);
        return result;
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
        using Scalar area = (double)(kernel[0] * kernel[1]);
        var sums = F.avg_pool2d(padded, kernel, strides).mul(area);
        if (includePad) return sums.div(area);
        using var ones = ones_like(x.select(1, 0).unsqueeze(1));
        var counts = F.avg_pool2d(PadSpatial(ones, pads, 0), kernel, strides).mul(area);
        return sums / counts;
    }

    private static Tensor BatchNormalization(OnnxNode n)
    {
        if (n.Int("training_mode", 0) != 0) throw n.Unsupported("training_mode 1");
        // Before opset 9, spatial 0 kept statistics per element rather than per channel.
        if (n.Opset < 9 && n.Int("spatial", 1) == 0) throw n.Unsupported("spatial 0");
        var (x, scale, bias, mean, variance) = (n.Input(0), n.Input(1), n.Input(2), n.Input(3), n.Input(4));
        double epsilon = n.Float("epsilon", 1e-5f);
        var shape = new long[x.dim()];
        Array.Fill(shape, 1L);
        shape[1] = -1;
        var eps = Scalars.Of(epsilon);
        return ((x - mean.reshape(shape)) * (scale / variance.add(eps, Scalars.One).sqrt()).reshape(shape)).add(bias.reshape(shape), Scalars.One);
    }

    private static Tensor Gemm(OnnxNode n)
    {
        var a = n.Input(0);
        var b = n.Input(1);
        if (n.Int("transA", 0) != 0) a = a.t();
        if (n.Int("transB", 0) != 0) b = b.t();
        double alpha = n.Float("alpha", 1), beta = n.Float("beta", 1);
        var product = a.matmul(b);
        if (alpha != 1)
        {
            using Scalar scale = alpha;
            product = product.mul(scale);
        }
        if (n.Optional(2) is not { } c) return product;
        using Scalar weight = beta;
        return product.add(c, weight);
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
        using Scalar axisSize = size;
        var wrapped = indices.add(indices.lt(Scalars.Of(0)).to_type(ScalarType.Int64).mul(axisSize), Scalars.One);
        return data.index_select(axis, wrapped.flatten()).reshape([.. data.shape[..(int)axis], .. indices.shape, .. data.shape[(int)(axis + 1)..]]);
    }

    /// <summary>Squeeze's and Unsqueeze's axes: an attribute before opset 13, an input from it; negatives count from <paramref name="rank"/>.</summary>
    private static long[] AxesOf(OnnxNode n, Func<long, long> rank)
    {
        var axes = (n.Opset >= 13 ? n.IntsInput(1) : n.Ints("axes")) ?? [];
        return axes.Select(a => a < 0 ? a + rank(axes.Length) : a).ToArray();
    }

    private static Tensor Unsqueeze(OnnxNode n)
    {
        var x = n.Input(0);
        // Negative axes count from the end of the output, which has one more axis per axis inserted.
        var axes = AxesOf(n, inserted => x.dim() + inserted);
        if (axes.Length == 0) throw n.Error("axes are missing");
        var result = x.alias();
        foreach (var axis in axes.Order()) result = result.unsqueeze(axis);
        return result;
    }

    private static Tensor Squeeze(OnnxNode n)
    {
        var x = n.Input(0);
        var axes = AxesOf(n, _ => x.dim());
        if (axes.Length == 0) return x.squeeze();
        foreach (var axis in axes)
            if (x.shape[axis] != 1) throw n.Error($"axis {axis} has size {x.shape[axis]}, not 1");
        var result = x.alias();
        foreach (var axis in axes.OrderDescending()) result = result.squeeze(axis);
        return result;
    }

    /// <summary>A reduction whose axes are an attribute before <paramref name="inputFrom"/> and an input from it.</summary>
    private static Tensor Reduce(OnnxNode n, Func<Tensor, long[], bool, Tensor> reduce, long inputFrom)
    {
        var x = n.Input(0);
        bool keep = n.Int("keepdims", 1) != 0;
        var axes = (n.Opset >= inputFrom ? n.IntsInput(1) : n.Ints("axes"))?.Select(a => a < 0 ? a + x.dim() : a).ToArray();
        if (axes is null || axes.Length == 0)
        {
            if (n.Opset >= inputFrom && n.Int("noop_with_empty_axes", 0) != 0) return x.alias();
            axes = Enumerable.Range(0, (int)x.dim()).Select(a => (long)a).ToArray();
        }
        return reduce(x, axes, keep);
    }

    private static Tensor HardSigmoid(OnnxNode n)
    {
        using Scalar alpha = (double)n.Float("alpha", 0.2f), beta = (double)n.Float("beta", 0.5f);
        return n.Input(0).mul(alpha).add(beta, Scalars.One).clamp(Scalars.Of(0), Scalars.One);
    }

    private static Tensor LayerNormalization(OnnxNode n)
    {
        var x = n.Input(0);
        long axis = Axis(n, n.Int("axis", -1), x);
        if (n.Proto.Output.Skip(1).Any(o => o.Length > 0)) throw n.Unsupported("the Mean and InvStdDev outputs");
        return F.layer_norm(x, x.shape[(int)axis..], n.Input(1), n.Optional(2), n.Float("epsilon", 1e-5f));
    }

    private static Tensor ConstantOfShape(OnnxNode n)
    {
        var shape = n.IntsInput(0) ?? throw n.Error("the shape input is missing");
        if (n.TensorAttribute("value") is not { } proto) return zeros(shape);
        using var value = OnnxTensors.ToTensor(proto);
        return value.reshape(1).expand(shape.Length == 0 ? [1] : shape).reshape(shape).clone();
    }

    // ONNX Expand broadcasts both ways: a 1 in the shape keeps the input's size.
    private static Tensor Expand(OnnxNode n)
    {
        var x = n.Input(0);
        var shape = n.IntsInput(1) ?? throw n.Error("the shape input is missing");
        int rank = Math.Max(shape.Length, (int)x.dim());
        var target = new long[rank];
        for (int i = 0; i < rank; i++)
        {
            long a = i - (rank - x.dim()) >= 0 ? x.shape[i - (rank - x.dim())] : 1, b = i - (rank - shape.Length) >= 0 ? shape[i - (rank - shape.Length)] : 1;
            if (a != b && a != 1 && b != 1) throw n.Error($"shape [{string.Join(", ", shape)}] does not broadcast with [{string.Join(", ", x.shape)}]");
            target[i] = Math.Max(a, b);
        }
        return x.expand(target);
    }

    private static Tensor Slice(OnnxNode n)
    {
        var x = n.Input(0);
        long[] starts, ends, axes, steps;
        if (n.Opset < 10)
        {
            starts = n.Ints("starts") ?? throw n.Error("starts are missing");
            ends = n.Ints("ends") ?? throw n.Error("ends are missing");
            axes = n.Ints("axes") ?? Enumerable.Range(0, starts.Length).Select(i => (long)i).ToArray();
            steps = Enumerable.Repeat(1L, starts.Length).ToArray();
        }
        else
        {
            starts = n.IntsInput(1) ?? throw n.Error("starts are missing");
            ends = n.IntsInput(2) ?? throw n.Error("ends are missing");
            axes = n.IntsInput(3) ?? Enumerable.Range(0, starts.Length).Select(i => (long)i).ToArray();
            steps = n.IntsInput(4) ?? Enumerable.Repeat(1L, starts.Length).ToArray();
        }
        var result = x;
        for (int i = 0; i < starts.Length; i++)
        {
            long axis = Axis(n, axes[i], x), size = x.shape[axis], step = steps[i];
            if (step == 0) throw n.Error("a step is 0");
            long start = starts[i] < 0 ? starts[i] + size : starts[i], end = ends[i] < 0 ? ends[i] + size : ends[i];
            if (step > 0)
            {
                start = Math.Clamp(start, 0, size);
                end = Math.Clamp(end, 0, size);
                result = end > start ? result.slice(axis, start, end, step) : result.slice(axis, 0, 0, 1);
            }
            else
            {
                // Walks backwards: start clamps to [0, size-1], end to [-1, size-1].
                start = Math.Clamp(start, 0, size - 1);
                end = Math.Clamp(end, -1, size - 1);
                long count = start > end ? (start - end - 1) / -step + 1 : 0;
                using Scalar first = start, stop = start + step * count, stride = step;
                var index = count == 0 ? empty(0, ScalarType.Int64) : arange(first, stop, stride, ScalarType.Int64);
                result = result.index_select(axis, index.to(x.device));
            }
        }
        return ReferenceEquals(result, x) ? x.alias() : result;
    }

    private static Tensor Cast(OnnxNode n)
    {
        var type = (global::Onnx.TensorProto.Types.DataType)n.Int("to", 0) switch
        {
            global::Onnx.TensorProto.Types.DataType.Float or global::Onnx.TensorProto.Types.DataType.Float16 => ScalarType.Float32,
            global::Onnx.TensorProto.Types.DataType.Double => ScalarType.Float64,
            global::Onnx.TensorProto.Types.DataType.Int64 => ScalarType.Int64,
            global::Onnx.TensorProto.Types.DataType.Int32 => ScalarType.Int32,
            global::Onnx.TensorProto.Types.DataType.Int8 => ScalarType.Int8,
            global::Onnx.TensorProto.Types.DataType.Uint8 => ScalarType.Byte,
            global::Onnx.TensorProto.Types.DataType.Bool => ScalarType.Bool,
            var other => throw n.Unsupported($"casting to {other}"),
        };
        return n.Input(0).to_type(type);
    }

    private static Tensor Pad(OnnxNode n)
    {
        var x = n.Input(0);
        var mode = n.String("mode", "constant");
        long[] pads;
        double value;
        if (n.Opset < 11)
        {
            pads = n.Ints("pads") ?? throw n.Error("pads are missing");
            value = n.Float("value", 0);
        }
        else
        {
            pads = n.IntsInput(1) ?? throw n.Error("pads are missing");
            value = n.Optional(2) is { } v && v.numel() > 0 ? v.to_type(ScalarType.Float64).item<double>() : 0;
            if (n.IntsInput(3) is { } axes)
            {
                // Pads name only the given axes: spread them over all axes.
                var full = new long[2 * x.dim()];
                for (int i = 0; i < axes.Length; i++)
                {
                    long axis = Axis(n, axes[i], x);
                    full[axis] = pads[i];
                    full[x.dim() + axis] = pads[axes.Length + i];
                }
                pads = full;
            }
        }
        int rank = (int)x.dim();
        if (pads.Length != 2 * rank) throw n.Error($"pads has {pads.Length} values for a rank-{rank} tensor");
        // F.pad takes the last axis first, begin then end; negative pads crop.
        var order = new long[2 * rank];
        for (int i = 0; i < rank; i++)
        {
            order[2 * i] = pads[rank - 1 - i];
            order[2 * i + 1] = pads[2 * rank - 1 - i];
        }
        return mode switch
        {
            "constant" => F.pad(x, order, PaddingModes.Constant, value),
            "reflect" => PadSpatialOnly(n, x, order, PaddingModes.Reflect),
            "edge" => PadSpatialOnly(n, x, order, PaddingModes.Replicate),
            "wrap" => PadSpatialOnly(n, x, order, PaddingModes.Circular),
            _ => throw n.Unsupported($"mode '{mode}'"),
        };
    }

    // libtorch pads reflect and replicate over the trailing (spatial) axes only.
    private static Tensor PadSpatialOnly(OnnxNode n, Tensor x, long[] order, PaddingModes mode)
    {
        int rank = (int)x.dim();
        if (order.Skip(2 * (rank - 2)).Any(p => p != 0) || rank < 3) throw n.Unsupported($"{mode} padding of the batch or channel axis");
        return F.pad(x, order[..(2 * (rank - 2))], mode);
    }

    // fmod 0 (integers only) takes the divisor's sign, like Python; fmod 1 the dividend's, like C.
    private static Tensor Mod(OnnxNode n)
    {
        var (a, b) = (n.Input(0), n.Input(1));
        if (n.Int("fmod", 0) != 0) return a.fmod(b);
        if (a.is_floating_point()) throw n.Error("fmod 0 is defined for integers only");
        return a.remainder(b);
    }

    private static Tensor ScatterND(OnnxNode n)
    {
        if (n.String("reduction", "none") != "none") throw n.Unsupported($"reduction '{n.String("reduction", "none")}'");
        var (data, indices, updates) = (n.Input(0), n.Input(1).to_type(ScalarType.Int64), n.Input(2));
        long k = indices.shape[^1];
        if (k > data.dim()) throw n.Error($"indices address {k} axes of a rank-{data.dim()} tensor");
        var index = Enumerable.Range(0, (int)k).Select(i =>
        {
            var column = indices.select(-1, i);
            using Scalar axisSize = data.shape[i];
            return column.add(column.lt(Scalars.Of(0)).to_type(ScalarType.Int64).mul(axisSize), Scalars.One);
        }).ToArray();
        return data.clone().index_put_(updates, index);
    }

    /// <summary>An activation with one float attribute, passed to libtorch as a kept Scalar.</summary>
    private static Tensor Scaled(OnnxNode n, string attribute, float fallback, Func<Tensor, Scalar, Tensor> op)
    {
        using Scalar value = (double)n.Float(attribute, fallback);
        return op(n.Input(0), value);
    }

    // ln(1 + e^x) without overflow: max(x, 0) + ln(1 + e^-|x|).
    private static Tensor Softplus(Tensor x) => F.relu(x).add(x.abs().neg().exp().log1p(), Scalars.One);

    private static Tensor Selu(OnnxNode n)
    {
        // gamma * (x > 0 ? x : alpha * (exp(x) - 1)), with ONNX's own defaults.
        using Scalar alpha = (double)n.Float("alpha", 1.67326319217681884765625f), gamma = (double)n.Float("gamma", 1.05070102214813232421875f);
        var x = n.Input(0);
        return where(x.gt(Scalars.Of(0)), x, x.exp().sub(Scalars.One).mul(alpha)).mul(gamma);
    }

    private static Tensor ThresholdedRelu(OnnxNode n)
    {
        using Scalar alpha = (double)n.Float("alpha", 1f);
        var x = n.Input(0);
        return x.mul(x.gt(alpha).to_type(x.dtype));
    }

    // The slope broadcasts to the input (unidirectionally); negatives are scaled by it.
    private static Tensor PRelu(OnnxNode n)
    {
        var (x, slope) = (n.Input(0), n.Input(1));
        return where(x.lt(Scalars.Of(0)), x * slope, x);
    }

    private static Tensor Gelu(OnnxNode n)
    {
        var approximate = n.String("approximate", "none");
        return approximate switch
        {
            "none" => F.gelu(n.Input(0)),
            "tanh" => n.Input(0).gelu(TorchSharp.Modules.GELU.Approximate.tanh),
            _ => throw n.Unsupported($"approximate '{approximate}'"),
        };
    }

    private static Tensor InstanceNormalization(OnnxNode n)
    {
        var (x, scale, bias) = (n.Input(0), n.Input(1), n.Input(2));
        return F.instance_norm(x, weight: scale, bias: bias, eps: n.Float("epsilon", 1e-5f));
    }

    /// <summary>GroupNormalization: opsets 18 to 20 give scale and bias per group, 21 per channel.</summary>
    private static Tensor GroupNormalization(OnnxNode n)
    {
        var (x, scale, bias) = (n.Input(0), n.Input(1), n.Input(2));
        long groups = n.Int("num_groups", 0), channels = x.shape[1];
        if (groups <= 0 || channels % groups != 0) throw n.Error($"num_groups {groups} does not divide {channels} channels");
        if (n.Int("stash_type", 1) != 1) throw n.Unsupported($"stash_type {n.Int("stash_type", 1)}");
        if (scale.numel() == groups && groups != channels)
        {
            scale = scale.repeat_interleave(channels / groups);
            bias = bias.repeat_interleave(channels / groups);
        }
        return F.group_norm(x, groups, scale, bias, n.Float("epsilon", 1e-5f));
    }

    private static Tensor Mean(OnnxNode n)
    {
        var sum = Enumerable.Range(1, n.InputCount - 1).Aggregate(n.Input(0), (m, i) => m.add(n.Input(i), Scalars.One));
        using Scalar count = (double)n.InputCount;
        return sum.div(count);
    }

    // Stable: the maximum is taken out before exponentiating; summing over the kept size-1 axes drops them.
    private static Tensor LogSumExp(Tensor x, long[] axes, bool keep)
    {
        var peak = x.amax(axes, keepdim: true);
        var result = x.sub(peak).exp().sum(axes, keepdim: true).log().add(peak, Scalars.One);
        return keep ? result : result.sum(axes, keepdim: false);
    }

    private static Tensor ReduceProduct(Tensor x, long[] axes, bool keep)
    {
        var result = x;
        foreach (var axis in axes.OrderDescending()) result = result.prod(axis, keepdim: keep);
        return ReferenceEquals(result, x) ? x.alias() : result;
    }

    // ArgMax and ArgMin; select_last_index picks the last of equal extremes, found on the reversed axis.
    private static Tensor ArgExtreme(OnnxNode n, bool max)
    {
        var x = n.Input(0);
        long axis = Axis(n, n.Int("axis", 0), x);
        bool keep = n.Int("keepdims", 1) != 0, last = n.Int("select_last_index", 0) != 0;
        var source = last ? x.flip(axis) : x;
        var index = max ? source.argmax(axis, keep) : source.argmin(axis, keep);
        if (!last) return index;
        using Scalar end = x.shape[axis] - 1;
        return index.neg().add(end, Scalars.One);
    }

    private static Tensor[] Split(OnnxNode n)
    {
        var x = n.Input(0);
        long axis = Axis(n, n.Int("axis", 0), x);
        int outputs = n.Proto.Output.Count;
        var sizes = (n.Opset >= 13 ? n.IntsInput(1) : n.Ints("split"));
        if (sizes is null)
        {
            long size = x.shape[axis], part = (size + outputs - 1) / outputs;
            sizes = Enumerable.Range(0, outputs).Select(i => Math.Max(0, Math.Min(part, size - i * part))).ToArray();
        }
        if (sizes.Length != outputs || sizes.Sum() != x.shape[axis]) throw n.Error($"split sizes [{string.Join(", ", sizes)}] do not cut an axis of {x.shape[axis]} into {outputs} outputs");
        return x.split(sizes, axis);
    }
}
