using AutoTimm.Models.Onnx;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Tensor = TorchSharp.torch.Tensor;
using Onnx;
using static TorchSharp.torch;

namespace AutoTimm.Tests.Onnx;

/// <summary>
/// Single-node ONNX models built in C#, run by ONNX Runtime (graph optimizations off) as the reference and by the
/// executor's op, compared at max|d| &lt;= 1e-4 max|ref| + 1e-6.
/// </summary>
internal static class OnnxReference
{
    /// <summary>A float input fed to the graph at run time.</summary>
    public sealed record Input(string Name, Tensor Value, bool Constant = false);

    public static ModelProto SingleNode(NodeProto node, IReadOnlyList<Input> inputs, int outputs, long opset)
    {
        var graph = new GraphProto { Name = node.OpType };
        graph.Node.Add(node);
        foreach (var input in inputs)
        {
            if (input.Constant) graph.Initializer.Add(OnnxTensors.ToProto(input.Name, input.Value));
            else graph.Input.Add(ValueInfo(input.Name, input.Value.dtype));
        }
        for (int i = 0; i < outputs; i++) graph.Output.Add(ValueInfo(node.Output[i], null));
        var model = new ModelProto { IrVersion = 8, Graph = graph, ProducerName = "autotimm-tests" };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        return model;
    }

    private static ValueInfoProto ValueInfo(string name, ScalarType? type)
    {
        var tensorType = new TypeProto.Types.Tensor { ElemType = (int)(type switch
        {
            ScalarType.Int64 => TensorProto.Types.DataType.Int64,
            ScalarType.Int32 => TensorProto.Types.DataType.Int32,
            ScalarType.Bool => TensorProto.Types.DataType.Bool,
            _ => TensorProto.Types.DataType.Float,
        }) };
        // Outputs are left without a type: ONNX Runtime infers it.
        return type is null ? new ValueInfoProto { Name = name } : new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensorType } };
    }

    /// <summary>ONNX Runtime's first output, as float64 values with its shape.</summary>
    public static (double[] Values, long[] Shape) RunReference(ModelProto model, IReadOnlyList<Input> inputs)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL };
        using var session = new InferenceSession(model.ToByteArray(), options);
        var feeds = inputs.Where(i => !i.Constant).Select(i => i.Value.dtype switch
        {
            ScalarType.Int64 => NamedOnnxValue.CreateFromTensor(i.Name, new DenseTensor<long>(i.Value.data<long>().ToArray(), i.Value.shape.Select(d => (int)d).ToArray())),
            ScalarType.Bool => NamedOnnxValue.CreateFromTensor(i.Name, new DenseTensor<bool>(i.Value.data<bool>().ToArray(), i.Value.shape.Select(d => (int)d).ToArray())),
            _ => NamedOnnxValue.CreateFromTensor(i.Name, new DenseTensor<float>(i.Value.to_type(ScalarType.Float32).data<float>().ToArray(), i.Value.shape.Select(d => (int)d).ToArray())),
        }).ToList();
        using var results = session.Run(feeds);
        var first = results.First();
        return first.ElementType switch
        {
            TensorElementType.Int64 => (first.AsTensor<long>().ToArray().Select(v => (double)v).ToArray(), first.AsTensor<long>().Dimensions.ToArray().Select(d => (long)d).ToArray()),
            TensorElementType.Bool => (first.AsTensor<bool>().ToArray().Select(v => v ? 1.0 : 0.0).ToArray(), first.AsTensor<bool>().Dimensions.ToArray().Select(d => (long)d).ToArray()),
            TensorElementType.Int32 => (first.AsTensor<int>().ToArray().Select(v => (double)v).ToArray(), first.AsTensor<int>().Dimensions.ToArray().Select(d => (long)d).ToArray()),
            _ => (first.AsTensor<float>().ToArray().Select(v => (double)v).ToArray(), first.AsTensor<float>().Dimensions.ToArray().Select(d => (long)d).ToArray()),
        };
    }

    /// <summary>The executor's first output for the same node and inputs.</summary>
    public static (double[] Values, long[] Shape) RunExecutor(NodeProto node, IReadOnlyList<Input> inputs, long opset)
    {
        var byName = inputs.ToDictionary(i => i.Name, i => i.Value);
        var values = node.Input.Select(n => n.Length == 0 ? null : byName[n]).ToArray();
        using var output = OnnxOps.Run(new OnnxNode(node, values, opset))[0].to_type(ScalarType.Float64).cpu();
        // TorchSharp cannot read an empty tensor's data.
        return (output.numel() == 0 ? [] : output.data<double>().ToArray(), output.shape);
    }

    /// <summary>Asserts the executor matches ONNX Runtime on a single-node model.</summary>
    public static void AssertMatches(NodeProto node, IReadOnlyList<Input> inputs, long opset)
    {
        var (expected, expectedShape) = RunReference(SingleNode(node, inputs, 1, opset), inputs);
        var (actual, actualShape) = RunExecutor(node, inputs, opset);
        Assert.Equal(expectedShape, actualShape);
        double scale = expected.Length == 0 ? 0 : expected.Max(Math.Abs), worst = 0;
        for (int i = 0; i < expected.Length; i++) worst = Math.Max(worst, Math.Abs(expected[i] - actual[i]));
        Assert.True(worst <= 1e-4 * scale + 1e-6, $"{node.OpType} (opset {opset}): max|d| {worst} against max|ref| {scale}");
    }

    public static NodeProto Node(string op, string[] inputs, params (string Name, object Value)[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = $"{op.ToLowerInvariant()}_node" };
        node.Input.AddRange(inputs);
        node.Output.Add("y");
        foreach (var (name, value) in attributes)
        {
            var attribute = new AttributeProto { Name = name };
            switch (value)
            {
                case long i: attribute.Type = AttributeProto.Types.AttributeType.Int; attribute.I = i; break;
                case int i: attribute.Type = AttributeProto.Types.AttributeType.Int; attribute.I = i; break;
                case float f: attribute.Type = AttributeProto.Types.AttributeType.Float; attribute.F = f; break;
                case string s: attribute.Type = AttributeProto.Types.AttributeType.String; attribute.S = ByteString.CopyFromUtf8(s); break;
                case long[] ints: attribute.Type = AttributeProto.Types.AttributeType.Ints; attribute.Ints.AddRange(ints); break;
                case float[] floats: attribute.Type = AttributeProto.Types.AttributeType.Floats; attribute.Floats.AddRange(floats); break;
                default: throw new ArgumentException($"attribute {name}: {value.GetType()}");
            }
            node.Attribute.Add(attribute);
        }
        return node;
    }
}
