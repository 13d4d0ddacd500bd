using Onnx;
using AutoTimm.Models.Onnx;
using static AutoTimm.Tests.Onnx.OnnxReference;
using static TorchSharp.torch;

namespace AutoTimm.Tests.Onnx;

/// <summary>Each operator and its tricky variants against ONNX Runtime, on single-node models built here.</summary>
public sealed class OnnxOpsTests
{
    private static Tensor Random(params long[] shape)
    {
        using var generator = new TorchSharp.torch.Generator(7);
        return randn(shape, generator: generator);
    }

    private static Input X(params long[] shape) => new("x", Random(shape));

    private static Input W(string name, params long[] shape) => new(name, Random(shape) * 0.5);

    private static Input Ints(string name, params long[] values) => new(name, tensor(values), Constant: true);

    public static TheoryData<string, long> Convolutions => new()
    {
        { "symmetric pads", 13 }, { "asymmetric pads", 13 }, { "stride 2 dilation 2", 13 }, { "groups", 13 }, { "same upper", 13 },
        { "same lower", 17 }, { "valid", 17 }, { "no bias", 17 },
    };

    [Theory]
    [MemberData(nameof(Convolutions))]
    public void Conv_matches_onnx_runtime(string variant, long opset)
    {
        var x = X(1, 4, 9, 11);
        var w = W("w", 6, variant == "groups" ? 2 : 4, 3, 3);
        var b = W("b", 6);
        (string, object)[] attributes = variant switch
        {
            "symmetric pads" => [("pads", new long[] { 1, 1, 1, 1 })],
            "asymmetric pads" => [("pads", new long[] { 0, 1, 2, 0 })],
            "stride 2 dilation 2" => [("strides", new long[] { 2, 2 }), ("dilations", new long[] { 2, 2 }), ("pads", new long[] { 1, 2, 1, 2 })],
            "groups" => [("group", 2L)],
            "same upper" => [("auto_pad", "SAME_UPPER"), ("strides", new long[] { 2, 2 })],
            "same lower" => [("auto_pad", "SAME_LOWER"), ("strides", new long[] { 2, 2 })],
            "valid" => [("auto_pad", "VALID")],
            _ => [],
        };
        var inputs = variant == "no bias" ? new[] { x, w } : new[] { x, w, b };
        AssertMatches(Node("Conv", inputs.Select(i => i.Name).ToArray(), attributes), inputs, opset);
    }

    public static TheoryData<string, long> TransposedConvolutions => new()
    {
        { "stride 2", 11 }, { "pads", 13 }, { "asymmetric pads", 13 }, { "output padding", 13 }, { "dilated groups", 17 },
        { "output shape", 13 }, { "output shape larger", 13 }, { "same upper", 13 }, { "same lower", 17 }, { "no bias", 17 },
    };

    [Theory]
    [MemberData(nameof(TransposedConvolutions))]
    public void ConvTranspose_matches_onnx_runtime(string variant, long opset)
    {
        var x = X(1, 4, 5, 6);
        var w = W("w", 4, variant == "dilated groups" ? 3 : 6, 3, 3);
        var b = W("b", variant == "dilated groups" ? 6 : 6);
        (string, object)[] attributes = variant switch
        {
            "stride 2" => [("strides", new long[] { 2, 2 })],
            "pads" => [("strides", new long[] { 2, 2 }), ("pads", new long[] { 1, 1, 1, 1 })],
            "asymmetric pads" => [("strides", new long[] { 2, 3 }), ("pads", new long[] { 0, 1, 2, 0 })],
            "output padding" => [("strides", new long[] { 2, 3 }), ("pads", new long[] { 1, 0, 1, 1 }), ("output_padding", new long[] { 1, 2 })],
            "dilated groups" => [("group", 2L), ("dilations", new long[] { 2, 2 }), ("strides", new long[] { 2, 2 })],
            "output shape" => [("strides", new long[] { 2, 2 }), ("output_shape", new long[] { 10, 12 })],
            "output shape larger" => [("strides", new long[] { 2, 2 }), ("output_shape", new long[] { 12, 14 })],
            "same upper" => [("strides", new long[] { 2, 2 }), ("auto_pad", "SAME_UPPER")],
            "same lower" => [("strides", new long[] { 2, 2 }), ("auto_pad", "SAME_LOWER")],
            _ => [("strides", new long[] { 2, 2 })],
        };
        var inputs = variant == "no bias" ? new[] { x, w } : new[] { x, w, b };
        AssertMatches(Node("ConvTranspose", inputs.Select(i => i.Name).ToArray(), attributes), inputs, opset);
    }

    public static TheoryData<string, string> Poolings => new()
    {
        { "MaxPool", "pads" }, { "MaxPool", "ceil" }, { "MaxPool", "asymmetric" }, { "MaxPool", "same upper" }, { "MaxPool", "dilated" },
        { "AveragePool", "pads" }, { "AveragePool", "pads include" }, { "AveragePool", "ceil" }, { "AveragePool", "asymmetric" },
        { "AveragePool", "asymmetric include" }, { "AveragePool", "same upper" },
    };

    [Theory]
    [MemberData(nameof(Poolings))]
    public void Pooling_matches_onnx_runtime(string op, string variant)
    {
        var x = X(1, 3, 10, 9);
        (string, object)[] attributes = variant switch
        {
            "pads" => [("kernel_shape", new long[] { 3, 3 }), ("strides", new long[] { 2, 2 }), ("pads", new long[] { 1, 1, 1, 1 })],
            "pads include" => [("kernel_shape", new long[] { 3, 3 }), ("strides", new long[] { 2, 2 }), ("pads", new long[] { 1, 1, 1, 1 }), ("count_include_pad", 1L)],
            "ceil" => [("kernel_shape", new long[] { 3, 3 }), ("strides", new long[] { 2, 2 }), ("ceil_mode", 1L)],
            "asymmetric" => [("kernel_shape", new long[] { 3, 2 }), ("strides", new long[] { 2, 2 }), ("pads", new long[] { 0, 1, 1, 0 })],
            "asymmetric include" => [("kernel_shape", new long[] { 3, 2 }), ("strides", new long[] { 2, 2 }), ("pads", new long[] { 0, 1, 1, 0 }), ("count_include_pad", 1L)],
            "same upper" => [("kernel_shape", new long[] { 3, 3 }), ("strides", new long[] { 2, 2 }), ("auto_pad", "SAME_UPPER")],
            "dilated" => [("kernel_shape", new long[] { 2, 2 }), ("dilations", new long[] { 2, 2 })],
            _ => throw new ArgumentException(variant),
        };
        AssertMatches(Node(op, ["x"], attributes), [x], 17);
    }

    [Theory]
    [InlineData("GlobalAveragePool")]
    [InlineData("GlobalMaxPool")]
    [InlineData("Relu")]
    [InlineData("Sigmoid")]
    [InlineData("Tanh")]
    [InlineData("Identity")]
    public void Unary_ops_match_onnx_runtime(string op) => AssertMatches(Node(op, ["x"]), [X(2, 3, 5, 4)], 13);

    [Theory]
    [InlineData("Add")]
    [InlineData("Sub")]
    [InlineData("Mul")]
    [InlineData("Div")]
    public void Broadcasting_binary_ops_match_onnx_runtime(string op) =>
        AssertMatches(Node(op, ["x", "w"]), [X(2, 3, 4, 5), new Input("w", Random(3, 1, 5).abs() + 0.5)], 13);

    [Fact]
    public void Integer_division_truncates_toward_zero()
    {
        var a = new Input("a", tensor(new long[] { 7, -7, 7, -7, 0 }));
        var b = new Input("b", tensor(new long[] { 2, 2, -2, -2, 3 }));
        AssertMatches(Node("Div", ["a", "b"]), [a, b], 13);
        var (values, _) = RunExecutor(Node("Div", ["a", "b"]), [a, b], 13);
        Assert.Equal([3.0, -3, -3, 3, 0], values);
    }

    [Fact]
    public void BatchNormalization_matches_onnx_runtime()
    {
        var inputs = new[] { X(2, 4, 3, 3), W("scale", 4), W("bias", 4), W("mean", 4), new Input("var", Random(4).abs() + 0.1) };
        AssertMatches(Node("BatchNormalization", ["x", "scale", "bias", "mean", "var"], ("epsilon", 1e-3f)), inputs, 15);
    }

    [Theory]
    [InlineData(0, 1, 1.0f, 1.0f)]
    [InlineData(1, 0, 0.5f, 2.0f)]
    [InlineData(1, 1, 1.5f, 0.25f)]
    public void Gemm_matches_onnx_runtime(int transA, int transB, float alpha, float beta)
    {
        var a = new Input("a", transA == 1 ? Random(5, 3) : Random(3, 5));
        var b = new Input("b", transB == 1 ? Random(4, 5) : Random(5, 4));
        AssertMatches(Node("Gemm", ["a", "b", "c"], ("transA", (long)transA), ("transB", (long)transB), ("alpha", alpha), ("beta", beta)),
            [a, b, W("c", 4)], 13);
    }

    [Fact]
    public void MatMul_broadcasts_batches_like_onnx_runtime() => AssertMatches(Node("MatMul", ["a", "b"]), [new Input("a", Random(2, 3, 4, 5)), new Input("b", Random(5, 6))], 13);

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(-1)]
    public void Flatten_matches_onnx_runtime(long axis) => AssertMatches(Node("Flatten", ["x"], ("axis", axis)), [X(2, 3, 4, 5)], 13);

    [Fact]
    public void Reshape_copies_zero_dimensions_and_infers_minus_one() =>
        AssertMatches(Node("Reshape", ["x", "shape"]), [X(2, 3, 4, 5), Ints("shape", 0, -1, 5)], 14);

    [Fact]
    public void Transpose_and_concat_match_onnx_runtime()
    {
        AssertMatches(Node("Transpose", ["x"], ("perm", new long[] { 0, 2, 3, 1 })), [X(2, 3, 4, 5)], 13);
        AssertMatches(Node("Transpose", ["x"]), [X(2, 3, 4)], 13);
        AssertMatches(Node("Concat", ["x", "w"], ("axis", -1L)), [X(2, 3, 4), W("w", 2, 3, 2)], 13);
    }

    [Theory]
    [InlineData(11, 1)]
    [InlineData(11, 2)]
    [InlineData(13, 1)]
    [InlineData(13, -1)]
    public void Softmax_flattens_before_opset_13_and_not_after(long opset, long axis)
    {
        var x = X(2, 3, 4);
        AssertMatches(Node("Softmax", ["x"], ("axis", axis)), [x], opset);
        if (opset == 11 && axis == 1)
        {
            // The flattened form normalizes over 3 x 4 values together, not over the 3 of axis 1.
            var (values, _) = RunExecutor(Node("Softmax", ["x"], ("axis", axis)), [x], opset);
            Assert.Equal(1.0, values.Take(12).Sum(), 5);
        }
    }

    [Fact]
    public void Clip_takes_attributes_before_opset_11_and_inputs_after()
    {
        var x = X(3, 4);
        AssertMatches(Node("Clip", ["x"], ("min", -0.5f), ("max", 0.7f)), [x], 6);
        AssertMatches(Node("Clip", ["x", "min"]), [x, new Input("min", tensor(-0.25f), Constant: true)], 13);
        AssertMatches(Node("Clip", ["x", "", "max"]), [x, new Input("max", tensor(0.3f), Constant: true)], 13);
    }

    [Fact]
    public void Shape_gather_unsqueeze_squeeze_and_reduce_mean_match_onnx_runtime()
    {
        var x = X(2, 3, 4, 5);
        AssertMatches(Node("Shape", ["x"], ("start", 1L), ("end", -1L)), [x], 15);
        AssertMatches(Node("Gather", ["x", "i"], ("axis", 1L)), [x, new Input("i", tensor(new long[] { 2, -1, 0 }), Constant: true)], 13);
        AssertMatches(Node("Unsqueeze", ["x", "axes"]), [x, Ints("axes", 0, -1)], 13);
        AssertMatches(Node("Unsqueeze", ["x"], ("axes", new long[] { 1 })), [x], 11);
        AssertMatches(Node("Squeeze", ["x", "axes"]), [X(2, 1, 4, 1), Ints("axes", 1, -1)], 13);
        AssertMatches(Node("ReduceMean", ["x"], ("axes", new long[] { 2, 3 }), ("keepdims", 0L)), [x], 13);
        AssertMatches(Node("ReduceMean", ["x", "axes"], ("keepdims", 1L)), [x, Ints("axes", -1)], 18);
    }

    [Theory]
    [InlineData("HardSwish")]
    [InlineData("Erf")]
    [InlineData("Exp")]
    [InlineData("Neg")]
    [InlineData("Abs")]
    public void More_unary_ops_match_onnx_runtime(string op) => AssertMatches(Node(op, ["x"]), [X(2, 3, 5, 4)], 17);

    [Fact]
    public void Positive_unary_ops_match_onnx_runtime()
    {
        var positive = new Input("x", Random(2, 3, 4).abs() + 0.1);
        foreach (var op in new[] { "Sqrt", "Log", "Reciprocal" }) AssertMatches(Node(op, ["x"]), [positive], 13);
        AssertMatches(Node("Pow", ["x", "e"]), [positive, new Input("e", tensor(2.5f), Constant: true)], 13);
        AssertMatches(Node("HardSigmoid", ["x"], ("alpha", 0.3f), ("beta", 0.4f)), [X(3, 5)], 13);
        AssertMatches(Node("HardSigmoid", ["x"]), [X(3, 5)], 6);
    }

    [Fact]
    public void Comparisons_where_max_and_min_match_onnx_runtime()
    {
        var (a, b) = (X(3, 4), new Input("w", Random(4)));
        AssertMatches(Node("Max", ["x", "w"]), [a, b], 13);
        AssertMatches(Node("Min", ["x", "w"]), [a, b], 13);
        var condition = new Input("c", tensor(new[] { true, false, true, false }), Constant: true);
        AssertMatches(Node("Where", ["c", "x", "w"]), [condition, a, b], 16);
        var ints = new Input("i", tensor(new long[] { 1, 2, 3 }));
        var other = new Input("j", tensor(new long[] { 1, 0, 3 }), Constant: true);
        foreach (var op in new[] { "Equal", "Less", "Greater" })
        {
            var node = Node(op, ["i", "j"]);
            var (expected, _) = RunReference(SingleNode(node, [ints, other], 1, 13), [ints, other]);
            Assert.Equal(expected, RunExecutor(node, [ints, other], 13).Values);
        }
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1)]
    public void LayerNormalization_matches_onnx_runtime(long axis)
    {
        var x = X(2, 3, 4);
        var shape = axis == -1 ? new long[] { 4 } : [3, 4];
        AssertMatches(Node("LayerNormalization", ["x", "s", "b"], ("axis", axis), ("epsilon", 1e-6f)), [x, W("s", shape), W("b", shape)], 17);
    }

    [Fact]
    public void Shapes_are_built_expanded_tiled_and_ranged_like_onnx_runtime()
    {
        var node = Node("ConstantOfShape", ["s"]);
        node.Attribute.Add(new global::Onnx.AttributeProto { Name = "value", Type = global::Onnx.AttributeProto.Types.AttributeType.Tensor, T = OnnxTensors.ToProto("v", tensor(new[] { 1.5f })) });
        AssertMatches(node, [Ints("s", 2, 3)], 13);
        AssertMatches(Node("Expand", ["x", "s"]), [X(3, 1), Ints("s", 2, 1, 4)], 13);
        AssertMatches(Node("Tile", ["x", "r"]), [X(2, 3), Ints("r", 2, 1)], 13);
        var range = Node("Range", ["a", "b", "c"]);
        var inputs = new[] { new Input("a", tensor(1.0f), Constant: true), new Input("b", tensor(7.5f), Constant: true), new Input("c", tensor(2.0f), Constant: true) };
        AssertMatches(range, inputs, 13);
    }

    public static TheoryData<long[], long[], long[]?, long[]?> Slices => new()
    {
        { [1, 0], [3, 100], null, null },
        { [-3], [-1], [2], null },
        { [0, 4], [2, 0], [0, 3], [1, -2] },
        { [100], [-100], [1], [-1] },
        { [2], [2], [3], null },
    };

    [Theory]
    [MemberData(nameof(Slices))]
    public void Slice_clamps_counts_from_the_end_and_steps_backwards_like_onnx_runtime(long[] starts, long[] ends, long[]? axes, long[]? steps)
    {
        var names = new List<string> { "x", "starts", "ends" };
        var inputs = new List<Input> { X(4, 5, 6, 7), Ints("starts", starts), Ints("ends", ends) };
        if (axes is not null || steps is not null)
        {
            names.Add("axes");
            inputs.Add(Ints("axes", axes ?? Enumerable.Range(0, starts.Length).Select(i => (long)i).ToArray()));
        }
        if (steps is not null)
        {
            names.Add("steps");
            inputs.Add(Ints("steps", steps));
        }
        AssertMatches(Node("Slice", [.. names]), inputs, 13);
    }

    [Fact]
    public void Slice_takes_attributes_before_opset_10() =>
        AssertMatches(Node("Slice", ["x"], ("starts", new long[] { 1, -2 }), ("ends", new long[] { 3, 100 }), ("axes", new long[] { 1, 3 })), [X(2, 4, 3, 5)], 9);

    [Theory]
    [InlineData("constant", 11)]
    [InlineData("reflect", 13)]
    [InlineData("edge", 13)]
    [InlineData("constant", 2)]
    public void Pad_matches_onnx_runtime(string mode, long opset)
    {
        long[] pads = [0, 0, 1, 2, 0, 0, 2, 1];
        if (opset < 11)
            AssertMatches(Node("Pad", ["x"], ("mode", mode), ("pads", pads), ("value", 0.5f)), [X(1, 2, 4, 5)], opset);
        else
            AssertMatches(Node("Pad", ["x", "pads", "v"], ("mode", mode)), [X(1, 2, 4, 5), Ints("pads", pads), new Input("v", tensor(0.5f), Constant: true)], opset);
    }

    [Fact]
    public void Split_cast_and_reductions_match_onnx_runtime()
    {
        var x = X(2, 6, 3);
        var split = Node("Split", ["x", "sizes"], ("axis", 1L));
        split.Output.Add("y2");
        var inputs = new[] { x, Ints("sizes", 2, 4) };
        var (expected, shape) = RunReference(SingleNode(split, inputs, 1, 13), inputs);
        var second = OnnxOps.Run(new OnnxNode(split, [x.Value, tensor(new long[] { 2, 4 })], 13));
        Assert.Equal(2, second.Length);
        Assert.Equal(shape, second[0].shape);
        Assert.Equal(expected, second[0].to_type(ScalarType.Float64).data<double>().ToArray(), (a, b) => Math.Abs(a - b) < 1e-6);
        Assert.Equal([2L, 4, 3], second[1].shape);
        AssertMatches(Node("Cast", ["x"], ("to", (long)global::Onnx.TensorProto.Types.DataType.Int64)), [new Input("x", tensor(new[] { 1.7f, -1.7f, 2.5f }))], 13);
        AssertMatches(Node("ReduceSum", ["x", "axes"], ("keepdims", 0L)), [x, Ints("axes", 1)], 13);
        AssertMatches(Node("ReduceMax", ["x"], ("axes", new long[] { -1 })), [x], 13);
    }

    [Fact]
    public void Mod_not_and_scatter_match_onnx_runtime()
    {
        var a = new Input("a", tensor(new long[] { 7, -7, 7, -7, 5 }));
        var b = new Input("b", tensor(new long[] { 3, 3, -3, -3, 5 }), Constant: true);
        foreach (long fmod in new long[] { 0, 1 })
        {
            var node = Node("Mod", ["a", "b"], ("fmod", fmod));
            Assert.Equal(RunReference(SingleNode(node, [a, b], 1, 13), [a, b]).Values, RunExecutor(node, [a, b], 13).Values);
        }
        AssertMatches(Node("Mod", ["x", "w"], ("fmod", 1L)), [X(3, 4), new Input("w", Random(4).abs() + 0.5)], 13);
        var flags = new Input("f", tensor(new[] { true, false }));
        var not = Node("Not", ["f"]);
        Assert.Equal(RunReference(SingleNode(not, [flags], 1, 13), [flags]).Values, RunExecutor(not, [flags], 13).Values);
        AssertMatches(Node("ScatterND", ["x", "i", "u"]), [X(4, 3, 2), new Input("i", tensor(new long[] { 2, 0, -1 }, [3, 1]), Constant: true), W("u", 3, 3, 2)], 13);
        AssertMatches(Node("ScatterND", ["x", "i", "u"]), [X(4, 3, 2), new Input("i", tensor(new long[] { 1, 2, 3, 0 }, [2, 2]), Constant: true), W("u", 2, 2)], 16);
    }

    public static TheoryData<string, long> MoreOperators => new()
    {
        { "LeakyRelu", 16 }, { "Elu", 13 }, { "Celu", 13 }, { "Selu", 13 }, { "ThresholdedRelu", 13 }, { "PRelu", 16 },
        { "Softplus", 13 }, { "Softsign", 13 }, { "Gelu", 20 }, { "Gelu tanh", 20 }, { "InstanceNormalization", 13 },
        { "GroupNormalization", 18 }, { "GroupNormalization", 21 }, { "Sum", 13 }, { "Mean", 13 }, { "Floor", 13 }, { "Ceil", 13 },
        { "Round", 11 }, { "Sign", 13 }, { "GreaterOrEqual", 16 }, { "LessOrEqual", 16 }, { "And", 7 }, { "Or", 7 }, { "Xor", 7 },
        { "ReduceMin", 13 }, { "ReduceMin", 18 }, { "ReduceProd", 13 }, { "ReduceProd", 18 }, { "ReduceL1", 18 }, { "ReduceL2", 13 },
        { "ReduceSumSquare", 18 }, { "ReduceLogSumExp", 13 }, { "ReduceLogSumExp", 18 }, { "ArgMax", 13 }, { "ArgMax last", 13 },
        { "ArgMin", 13 }, { "ArgMin last", 13 }, { "Pad wrap", 19 },
    };

    [Theory]
    [MemberData(nameof(MoreOperators))]
    public void More_operators_match_onnx_runtime(string variant, long opset)
    {
        var x = X(2, 4, 3, 5);
        var op = variant.Split(' ')[0];
        // Ties for the arg ops and rounding: integers in a small range, halves for Round.
        var ties = new Input("x", (Random(2, 4, 3, 5) * 2).round());
        var halves = new Input("x", (Random(2, 4, 3, 5) * 4).round() / 2);
        var flags = new Input("x", Random(3, 4).gt(0));
        var others = new Input("w", Random(3, 4).gt(0.3));
        (NodeProto node, Input[] inputs) = variant switch
        {
            "LeakyRelu" => (Node(op, ["x"], ("alpha", 0.2f)), new[] { x }),
            "Elu" or "Celu" => (Node(op, ["x"], ("alpha", 0.7f)), [x]),
            "Selu" => (Node(op, ["x"]), [x]),
            "ThresholdedRelu" => (Node(op, ["x"], ("alpha", 0.3f)), [x]),
            "PRelu" => (Node(op, ["x", "w"]), [x, W("w", 4, 1, 1)]),
            "Gelu tanh" => (Node(op, ["x"], ("approximate", "tanh")), [x]),
            "InstanceNormalization" => (Node(op, ["x", "scale", "bias"], ("epsilon", 1e-3f)), [x, W("scale", 4), W("bias", 4)]),
            "GroupNormalization" => (Node(op, ["x", "scale", "bias"], ("num_groups", 2L)), [x, W("scale", opset < 21 ? 2 : 4), W("bias", opset < 21 ? 2 : 4)]),
            "Sum" or "Mean" => (Node(op, ["x", "w", "v"]), [x, W("w", 3, 5), W("v", 1, 4, 1, 1)]),
            "Round" => (Node(op, ["x"]), [halves]),
            "GreaterOrEqual" or "LessOrEqual" => (Node(op, ["x", "w"]), [ties, new Input("w", (Random(3, 1) * 2).round())]),
            "And" or "Or" or "Xor" => (Node(op, ["x", "w"]), [flags, others]),
            "ReduceMin" or "ReduceProd" or "ReduceL1" or "ReduceL2" or "ReduceSumSquare" or "ReduceLogSumExp" => opset >= 18
                ? (Node(op, ["x", "axes"], ("keepdims", 0L)), [x, Ints("axes", 1, -1)])
                : (Node(op, ["x"], ("axes", new long[] { 1, -1 })), [x]),
            "ArgMax" or "ArgMin" => (Node(op, ["x"], ("axis", 2L), ("keepdims", 0L)), [ties]),
            "ArgMax last" or "ArgMin last" => (Node(op, ["x"], ("axis", -1L), ("select_last_index", 1L)), [ties]),
            "Pad wrap" => (Node("Pad", ["x", "pads"], ("mode", "wrap")), [x, Ints("pads", 0, 0, 2, 1, 0, 0, 1, 3)]),
            _ => (Node(op, ["x"]), [x]),
        };
        AssertMatches(node, inputs, opset);
    }

    [Fact]
    public void An_unsupported_op_or_variant_names_itself_its_node_and_its_opset()
    {
        var x = Random(1, 2, 4, 4);
        var missing = Assert.Throws<NotSupportedException>(() => OnnxOps.Run(new OnnxNode(Node("LpNormalization", ["x"]), [x], 17)));
        Assert.Contains("LpNormalization node 'lpnormalization_node' (output 'y', opset 17)", missing.Message);
        Assert.Contains("the operator LpNormalization is not supported", missing.Message);
        var variant = Assert.Throws<NotSupportedException>(() => OnnxOps.Run(new OnnxNode(Node("Conv", ["x", "w"], ("auto_pad", "SIDEWAYS")), [x, Random(2, 2, 3, 3)], 17)));
        Assert.Contains("auto_pad 'SIDEWAYS' is not supported", variant.Message);
        var domain = Node("Relu", ["x"]);
        domain.Domain = "com.microsoft";
        Assert.Contains("domain 'com.microsoft'", Assert.Throws<NotSupportedException>(() => OnnxOps.Run(new OnnxNode(domain, [x], 17))).Message);
    }
}
