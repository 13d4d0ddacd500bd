using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;
using TorchSharp;

namespace AutoTimm.Tests.Fixtures;

/// <summary>Minimal reader for the .npy files the fixture script writes (little-endian, C order).</summary>
internal static partial class Npy
{
    public static (long[] Shape, float[] Data) ReadFloat32(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 10 || bytes[0] != 0x93 || Encoding.ASCII.GetString(bytes, 1, 5) != "NUMPY")
            throw new InvalidDataException($"{path} is not a .npy file");
        var major = bytes[6];
        int headerLength, start;
        if (major == 1)
        {
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8));
            start = 10;
        }
        else
        {
            headerLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8));
            start = 12;
        }
        var header = Encoding.ASCII.GetString(bytes, start, headerLength);
        if (!header.Contains("'descr': '<f4'", StringComparison.Ordinal)) throw new InvalidDataException($"{path}: expected <f4, header {header}");
        if (header.Contains("'fortran_order': True", StringComparison.Ordinal)) throw new InvalidDataException($"{path}: Fortran order");
        var shapeText = ShapePattern().Match(header).Groups[1].Value;
        var shape = shapeText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(long.Parse).ToArray();
        var dataStart = start + headerLength;
        var data = new float[(bytes.Length - dataStart) / 4];
        Buffer.BlockCopy(bytes, dataStart, data, 0, data.Length * 4);
        if (data.LongLength != shape.Aggregate(1L, (a, b) => a * b)) throw new InvalidDataException($"{path}: size does not match shape");
        return (shape, data);
    }

    public static torch.Tensor ReadTensor(string path)
    {
        var (shape, data) = ReadFloat32(path);
        return torch.tensor(data, shape);
    }

    [GeneratedRegex(@"'shape': \(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
