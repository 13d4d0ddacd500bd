using System.Text.Json;
using TorchSharp;

namespace AutoTimm.Tests.Fixtures;

/// <summary>The *_expected.json files: name -> {dtype, shape, values}, values exact (compared as float64).</summary>
internal static class ExpectedTensors
{
    public sealed record Expected(string DType, long[] Shape, double[] Values);

    public static Dictionary<string, Expected> Load(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var result = new Dictionary<string, Expected>(StringComparer.Ordinal);
        foreach (var item in document.RootElement.EnumerateObject())
        {
            var shape = item.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            var values = item.Value.GetProperty("values").EnumerateArray()
                .Select(e => e.ValueKind switch { JsonValueKind.True => 1.0, JsonValueKind.False => 0.0, _ => e.GetDouble() })
                .ToArray();
            result.Add(item.Name, new Expected(item.Value.GetProperty("dtype").GetString()!, shape, values));
        }
        return result;
    }

    /// <summary>Asserts dtype, shape and every value exactly.</summary>
    public static void AssertEqual(Expected expected, torch.Tensor actual, string name)
    {
        var dtype = actual.dtype switch
        {
            torch.ScalarType.Float32 => "F32", torch.ScalarType.Float16 => "F16", torch.ScalarType.BFloat16 => "BF16",
            torch.ScalarType.Float64 => "F64", torch.ScalarType.Int64 => "I64", torch.ScalarType.Int32 => "I32",
            torch.ScalarType.Int16 => "I16", torch.ScalarType.Int8 => "I8", torch.ScalarType.Byte => "U8",
            torch.ScalarType.Bool => "BOOL", _ => actual.dtype.ToString(),
        };
        Assert.True(expected.DType == dtype, $"{name}: dtype {dtype}, expected {expected.DType}");
        Assert.True(expected.Shape.SequenceEqual(actual.shape), $"{name}: shape [{string.Join(",", actual.shape)}], expected [{string.Join(",", expected.Shape)}]");
        using var wide = actual.to_type(torch.ScalarType.Float64).contiguous();
        var values = wide.numel() == 0 ? [] : wide.data<double>().ToArray();
        Assert.Equal(expected.Values.Length, values.Length);
        for (var i = 0; i < values.Length; i++)
            Assert.True(expected.Values[i].Equals(values[i]), $"{name}[{i}] = {values[i]:R}, expected {expected.Values[i]:R}");
    }
}
