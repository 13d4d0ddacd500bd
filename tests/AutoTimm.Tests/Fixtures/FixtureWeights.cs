using TorchSharp;

namespace AutoTimm.Tests.Fixtures;

/// <summary>
/// Deterministic fixture weights, identical to <c>formula_values</c> in tools/fixtures/make_pytorch_fixtures.py:
/// u[i] = ((fnv1a32(name) + i * 2654435761) mod 2^32) / 2^32 for flat row-major index i, computed in float64 and
/// cast to float32. By name: num_batches_tracked = 0; running_mean = 0.2(u - 0.5); running_var = 1 + 0.5u;
/// bias = 0.2(u - 0.5); 1-D weight (norm scale) = 1 + 0.2(u - 0.5); other weight = (2/sqrt(fan_in))(u - 0.5) with
/// fan_in = numel / shape[0]; anything else (cls_token, pos_embed) = 0.2(u - 0.5).
/// </summary>
internal static class FixtureWeights
{
    public static uint Fnv1a32(string text)
    {
        var h = 0x811C9DC5u;
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(text))
        {
            h ^= b;
            h = unchecked(h * 0x01000193u);
        }
        return h;
    }

    public static double Uniform(uint hash, long index) => unchecked((uint)(hash + (ulong)index * 2654435761UL)) / 4294967296.0;

    /// <summary>The float32 values of a parameter or buffer of the given name and shape, row-major.</summary>
    public static float[] Values(string name, IReadOnlyList<long> shape)
    {
        var numel = shape.Aggregate(1L, (a, b) => a * b);
        var leaf = name[(name.LastIndexOf('.') + 1)..];
        var values = new float[numel];
        if (leaf == "num_batches_tracked") return values;
        var hash = Fnv1a32(name);
        Func<double, double> map = leaf switch
        {
            "running_mean" or "bias" => u => 0.2 * (u - 0.5),
            "running_var" => u => 1.0 + 0.5 * u,
            "weight" when shape.Count == 1 => u => 1.0 + 0.2 * (u - 0.5),
            "weight" => Scaled(2.0 / Math.Sqrt(numel / shape[0])),
            _ => u => 0.2 * (u - 0.5),
        };
        for (long i = 0; i < numel; i++) values[i] = (float)map(Uniform(hash, i));
        return values;
    }

    /// <summary>A model input by the same formula: scale * (u - 0.5) of the name "input" (scale 4 unless told).</summary>
    public static torch.Tensor Input(long[] shape, string name = "input", double scale = 4.0)
    {
        var numel = shape.Aggregate(1L, (a, b) => a * b);
        var hash = Fnv1a32(name);
        var values = new float[numel];
        for (long i = 0; i < numel; i++) values[i] = (float)(scale * (Uniform(hash, i) - 0.5));
        return torch.tensor(values, shape);
    }

    /// <summary>Fills every parameter and persistent buffer of a module by name.</summary>
    public static void Fill(torch.nn.Module module)
    {
        using var noGrad = torch.no_grad();
        foreach (var (name, tensor) in module.state_dict())
        {
            using var values = torch.tensor(Values(name, tensor.shape), tensor.shape);
            tensor.copy_(values);
        }
    }

    private static Func<double, double> Scaled(double scale) => u => scale * (u - 0.5);
}
