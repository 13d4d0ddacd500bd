using TorchSharp;

namespace AutoTimm.Models.Checkpoints;

/// <summary>The element types checkpoints can hold: safetensors codes, TorchSharp scalar types and sizes.</summary>
internal static class TensorDTypes
{
    private static readonly (string Code, torch.ScalarType Type, int Size)[] Known =
    [
        ("F32", torch.ScalarType.Float32, 4),
        ("F16", torch.ScalarType.Float16, 2),
        ("BF16", torch.ScalarType.BFloat16, 2),
        ("F64", torch.ScalarType.Float64, 8),
        ("I64", torch.ScalarType.Int64, 8),
        ("I32", torch.ScalarType.Int32, 4),
        ("I16", torch.ScalarType.Int16, 2),
        ("I8", torch.ScalarType.Int8, 1),
        ("U8", torch.ScalarType.Byte, 1),
        ("BOOL", torch.ScalarType.Bool, 1),
    ];

    /// <summary>The safetensors codes this library reads and writes.</summary>
    public static IEnumerable<string> Codes => Known.Select(k => k.Code);

    public static bool TryFromCode(string code, out torch.ScalarType type, out int size)
    {
        foreach (var k in Known)
        {
            if (k.Code != code) continue;
            type = k.Type;
            size = k.Size;
            return true;
        }
        type = default;
        size = 0;
        return false;
    }

    public static bool TryToCode(torch.ScalarType type, out string code, out int size)
    {
        foreach (var k in Known)
        {
            if (k.Type != type) continue;
            code = k.Code;
            size = k.Size;
            return true;
        }
        code = "";
        size = 0;
        return false;
    }

    /// <summary>Element type of a <c>torch.*Storage</c> class name as pickled by <c>torch.save</c>.</summary>
    public static bool TryFromStorageType(string storageType, out torch.ScalarType type, out int size)
    {
        var code = storageType switch
        {
            "FloatStorage" => "F32",
            "HalfStorage" => "F16",
            "BFloat16Storage" => "BF16",
            "DoubleStorage" => "F64",
            "LongStorage" => "I64",
            "IntStorage" => "I32",
            "ShortStorage" => "I16",
            "CharStorage" => "I8",
            "ByteStorage" or "UntypedStorage" => "U8",
            "BoolStorage" => "BOOL",
            _ => null,
        };
        if (code is not null) return TryFromCode(code, out type, out size);
        type = default;
        size = 0;
        return false;
    }

    /// <summary>Product of the dimensions, or an exception when it overflows or a dimension is negative.</summary>
    public static long NumberOfElements(IReadOnlyList<long> shape)
    {
        long count = 1;
        foreach (var d in shape)
        {
            if (d < 0) throw new CheckpointFormatException($"Negative dimension {d} in shape [{string.Join(", ", shape)}].");
            count = checked(count * d);
        }
        return count;
    }
}
