using AutoTimm.Native;
using Google.Protobuf;
using Onnx;
using static TorchSharp.torch;
using DataType = Onnx.TensorProto.Types.DataType;

namespace AutoTimm.Models.Onnx;

/// <summary>ONNX <c>TensorProto</c>s (initializers, constants) as TorchSharp tensors on the CPU.</summary>
internal static class OnnxTensors
{
    /// <summary>The tensor's values with its shape; raw little-endian bytes or the typed repeated fields.</summary>
    /// <exception cref="NotSupportedException">A data type the executor does not compute with; the message names the tensor.</exception>
    public static Tensor ToTensor(TensorProto proto)
    {
        var shape = proto.Dims.ToArray();
        long count = shape.Aggregate(1L, (p, d) => p * d);
        var type = (DataType)proto.DataType;
        var raw = proto.RawData;
        T[] Checked<T>(T[] values)
        {
            if (values.LongLength != count)
                throw new InvalidDataException($"ONNX tensor '{proto.Name}' holds {values.LongLength} values but its shape [{string.Join(", ", shape)}] needs {count}");
            return values;
        }
        T[] Raw<T>() where T : unmanaged => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, T>(raw.Span).ToArray();
        bool hasRaw = !raw.IsEmpty;
        return type switch
        {
            DataType.Float => tensor(Checked(hasRaw ? Raw<float>() : proto.FloatData.ToArray()), shape),
            DataType.Double => tensor(Checked(hasRaw ? Raw<double>() : proto.DoubleData.ToArray()), shape),
            DataType.Int64 => tensor(Checked(hasRaw ? Raw<long>() : proto.Int64Data.ToArray()), shape),
            DataType.Int32 => tensor(Checked(hasRaw ? Raw<int>() : proto.Int32Data.ToArray()), shape),
            DataType.Int8 => tensor(Checked(hasRaw ? Raw<sbyte>() : proto.Int32Data.Select(v => (sbyte)v).ToArray()), shape),
            DataType.Uint8 => tensor(Checked(hasRaw ? Raw<byte>() : proto.Int32Data.Select(v => (byte)v).ToArray()), shape),
            DataType.Bool => tensor(Checked(hasRaw ? raw.Span.ToArray().Select(b => b != 0).ToArray() : proto.Int32Data.Select(v => v != 0).ToArray()), shape),
            DataType.Float16 => tensor(Checked(hasRaw ? Raw<Half>().Select(h => (float)h).ToArray() : proto.Int32Data.Select(v => (float)BitConverter.UInt16BitsToHalf((ushort)v)).ToArray()), shape),
            _ => throw new NotSupportedException($"ONNX tensor '{proto.Name}' has data type {type}, which the executor does not compute with"),
        };
    }

    /// <summary>A tensor as an ONNX <c>TensorProto</c> (float32, float64, int64, int32, bool), for building graphs.</summary>
    public static TensorProto ToProto(string name, Tensor value)
    {
        using var cpu = value.cpu().contiguous();
        var proto = new TensorProto { Name = name };
        proto.Dims.AddRange(cpu.shape);
        (proto.DataType, var bytes) = cpu.dtype switch
        {
            ScalarType.Float32 => ((int)DataType.Float, System.Runtime.InteropServices.MemoryMarshal.AsBytes(cpu.CopyToArray<float>().AsSpan()).ToArray()),
            ScalarType.Float64 => ((int)DataType.Double, System.Runtime.InteropServices.MemoryMarshal.AsBytes(cpu.CopyToArray<double>().AsSpan()).ToArray()),
            ScalarType.Int64 => ((int)DataType.Int64, System.Runtime.InteropServices.MemoryMarshal.AsBytes(cpu.CopyToArray<long>().AsSpan()).ToArray()),
            ScalarType.Int32 => ((int)DataType.Int32, System.Runtime.InteropServices.MemoryMarshal.AsBytes(cpu.CopyToArray<int>().AsSpan()).ToArray()),
            ScalarType.Bool => ((int)DataType.Bool, cpu.CopyToArray<bool>().Select(b => (byte)(b ? 1 : 0)).ToArray()),
            _ => throw new NotSupportedException($"cannot write a {cpu.dtype} tensor as ONNX"),
        };
        proto.RawData = ByteString.CopyFrom(bytes);
        return proto;
    }
}
