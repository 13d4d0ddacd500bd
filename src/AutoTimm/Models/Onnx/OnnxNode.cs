using AutoTimm.Native;
using Onnx;
using static TorchSharp.torch;

namespace AutoTimm.Models.Onnx;

/// <summary>
/// One node as an op sees it: its inputs (null where an optional input is left empty), its attributes with the
/// operator set's defaults, and the opset version, with errors that name the node.
/// </summary>
internal sealed class OnnxNode(NodeProto proto, Tensor?[] inputs, long opset)
{
    public NodeProto Proto { get; } = proto;

    public long Opset { get; } = opset;

    public string OpType => Proto.OpType;

    /// <summary>How errors name the node: its op, its name when it has one, and its first output.</summary>
    public string Description => $"{Proto.OpType} node{(Proto.Name.Length > 0 ? $" '{Proto.Name}'" : "")} (output '{Proto.Output.FirstOrDefault()}', opset {Opset})";

    public int InputCount => inputs.Length;

    /// <summary>Input <paramref name="index"/>, which the op requires.</summary>
    public Tensor Input(int index) => Optional(index) ?? throw Error($"input {index} is missing");

    /// <summary>Input <paramref name="index"/>, or null when absent or empty.</summary>
    public Tensor? Optional(int index) => index < inputs.Length ? inputs[index] : null;

    private AttributeProto? Find(string name) => Proto.Attribute.FirstOrDefault(a => a.Name == name);

    public bool Has(string name) => Find(name) is not null;

    public long Int(string name, long fallback) => Find(name) is { } a ? a.I : fallback;

    public float Float(string name, float fallback) => Find(name) is { } a ? a.F : fallback;

    public string String(string name, string fallback) => Find(name) is { } a ? a.S.ToStringUtf8() : fallback;

    public long[]? Ints(string name) => Find(name)?.Ints.ToArray();

    public TensorProto? TensorAttribute(string name) => Find(name)?.T;

    /// <summary>Integer values of an input tensor (shapes, axes, pads), or null when the input is absent.</summary>
    public long[]? IntsInput(int index) => Optional(index) is { } t ? t.to_type(ScalarType.Int64).CopyToArray<long>() : null;

    public NotSupportedException Unsupported(string what) => new($"{Description}: {what} is not supported");

    public InvalidDataException Error(string what) => new($"{Description}: {what}");
}
