using System.Runtime.CompilerServices;

namespace AutoTimm.Data;

/// <summary>
/// A small counter-based random generator: the stream for (seed, index) is a pure function of both, so a sample is
/// the same whatever order or thread generates it. SplitMix64 over a state derived from the key.
/// </summary>
internal struct SampleRandom
{
    private ulong _state;

    /// <summary>Creates the stream for one sample.</summary>
    /// <param name="seed">Generator seed.</param>
    /// <param name="index">Sample index (or any per-call key).</param>
    /// <param name="stream">Separates independent uses of the same (seed, index).</param>
    public SampleRandom(ulong seed, ulong index, ulong stream = 0)
    {
        _state = Mix(Mix(seed ^ 0x6A09E667F3BCC909UL) ^ Mix(index + 0x3C6EF372FE94F82BUL) ^ Mix(stream * 0xBB67AE8584CAA73BUL + 1));
    }

    /// <summary>Next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    /// <summary>Uniform in [0, 1).</summary>
    public float NextFloat() => (NextUInt64() >> 40) * (1f / (1 << 24));

    /// <summary>Uniform in [min, max).</summary>
    public float NextFloat(float min, float max) => min + (max - min) * NextFloat();

    /// <summary>Uniform integer in [0, maxExclusive).</summary>
    public int NextInt(int maxExclusive)
    {
        if (maxExclusive <= 1) return 0;
        return (int)((NextUInt64() >> 32) * (ulong)maxExclusive >> 32);
    }

    /// <summary>Uniform integer in [min, maxInclusive].</summary>
    public int NextInt(int min, int maxInclusive) => min + NextInt(maxInclusive - min + 1);

    /// <summary>True with probability <paramref name="p"/>.</summary>
    public bool NextBool(float p = 0.5f) => NextFloat() < p;

    /// <summary>Approximately standard normal (sum of four uniforms, scaled): cheap and bounded, enough for noise.</summary>
    public float NextNoise()
    {
        var bits = NextUInt64();
        var sum = (bits & 0xFFFF) + ((bits >> 16) & 0xFFFF) + ((bits >> 32) & 0xFFFF) + (bits >> 48);
        // Four uniforms on [0, 65535]: mean 131070, variance 4 * 65536^2 / 12.
        return (sum - 131070f) / 37837.2f;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
