using static TorchSharp.torch;
using AutoTimm.Native;

namespace AutoTimm.Interpretation.Internal;

/// <summary>
/// Noise drawn per sample from a generator seeded with that sample's own seed, on the CPU (the same numbers on every
/// device), then moved: a result never depends on how samples are split into batches.
/// </summary>
internal static class SeededNoise
{
    /// <summary>Standard normal noise of <paramref name="shape"/> from <paramref name="seed"/>.</summary>
    public static Tensor Normal(long[] shape, long seed, Device device, ScalarType dtype = ScalarType.Float32)
    {
        using var generator = new Generator(unchecked((ulong)seed));
        using var draw = randn(shape, dtype: ScalarType.Float32, device: CPU, generator: generator);
        return draw.to(dtype, device);
    }

    /// <summary>
    /// Fills <paramref name="destination"/> with the noise <see cref="Normal"/> draws for its shape and
    /// <paramref name="seed"/>: in place where it is a contiguous float32 tensor on the CPU (the same numbers, no
    /// buffer of its own), drawn and copied otherwise.
    /// </summary>
    public static void NormalInto(Tensor destination, long seed)
    {
        using var _ = no_grad();
        if (destination.device_type == TorchSharp.DeviceType.CPU && destination.dtype == ScalarType.Float32 && destination.is_contiguous())
        {
            using var generator = new Generator(unchecked((ulong)seed));
            destination.normal_(0, 1, generator);
            return;
        }
        using var draw = Normal(destination.shape, seed, CPU);
        destination.copy_(draw);
    }

    /// <summary>Uniform noise in <c>[-radius, radius)</c> of <paramref name="shape"/> from <paramref name="seed"/>.</summary>
    public static Tensor Uniform(long[] shape, double radius, long seed, Device device, ScalarType dtype = ScalarType.Float32)
    {
        using var generator = new Generator(unchecked((ulong)seed));
        using var draw = rand(shape, dtype: ScalarType.Float32, device: CPU, generator: generator);
        return draw.mul(Scalars.Of(2)).sub(Scalars.One).mul(Scalars.Of(radius)).to(dtype, device);
    }

    /// <summary>The seed of sample <paramref name="sample"/>: <c>seed * 1000003 + sample</c>.</summary>
    public static long SampleSeed(long seed, int sample) => unchecked(seed * 1_000_003 + sample);
}
