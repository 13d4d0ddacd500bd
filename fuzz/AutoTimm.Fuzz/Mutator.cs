using System.Buffers.Binary;
using System.Text;

namespace AutoTimm.Fuzz;

/// <summary>
/// Deterministic mutations of seed files, in the spirit of AFL's havoc stage: bit flips, interesting integers,
/// chunk deletion, insertion and copying, truncation, splicing with another seed, and number rewrites for the
/// text headers (JSON, the .npy dict). The same seed and corpus give the same inputs on every machine.
/// </summary>
public sealed class Mutator
{
    private static readonly long[] Interesting =
        [0, 1, -1, 2, 7, 8, 16, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, int.MaxValue, unchecked((int)0x80000000), uint.MaxValue,
         1L << 32, long.MaxValue, long.MinValue, 1L << 40];

    private static readonly string[] InterestingNumbers =
        ["0", "-1", "1", "65535", "2147483648", "4294967296", "9223372036854775807", "18446744073709551616", "1e308", "-0", "NaN", "3.5", "99999999999999999999999"];

    private readonly Random _random;

    /// <param name="seed">The random seed; equal seeds give equal mutation sequences.</param>
    public Mutator(int seed) => _random = new Random(seed);

    /// <summary>Mutates a copy of <paramref name="input"/> by one to four stacked operations.</summary>
    /// <param name="input">The seed bytes (not modified).</param>
    /// <param name="other">Another seed, for splicing.</param>
    /// <returns>The mutated bytes and a description of what was done.</returns>
    public (byte[] Bytes, string Description) Mutate(byte[] input, byte[] other)
    {
        var bytes = new List<byte>(input);
        var steps = new List<string>();
        var count = 1 + _random.Next(4);
        for (var i = 0; i < count; i++) steps.Add(Apply(bytes, other));
        return (bytes.ToArray(), string.Join("; ", steps));
    }

    private string Apply(List<byte> bytes, byte[] other)
    {
        if (bytes.Count == 0)
        {
            var fill = RandomBytes(1 + _random.Next(16));
            bytes.AddRange(fill);
            return $"{fill.Length} random bytes into an empty input";
        }
        switch (_random.Next(10))
        {
            case 0:
            {
                var at = Offset(bytes.Count);
                var bit = _random.Next(8);
                bytes[at] ^= (byte)(1 << bit);
                return $"bit {bit} of byte {at} flipped";
            }
            case 1:
            {
                var at = Offset(bytes.Count);
                bytes[at] = (byte)_random.Next(256);
                return $"byte {at} set to 0x{bytes[at]:x2}";
            }
            case 2:
            {
                var width = 1 << _random.Next(4); // 1, 2, 4 or 8 bytes
                var at = Offset(Math.Max(1, bytes.Count - width + 1));
                var value = Interesting[_random.Next(Interesting.Length)];
                Span<byte> le = stackalloc byte[8];
                BinaryPrimitives.WriteInt64LittleEndian(le, value);
                for (var k = 0; k < width && at + k < bytes.Count; k++) bytes[at + k] = le[k];
                return $"{width}-byte integer {value} written at {at}";
            }
            case 3:
            {
                var at = Offset(bytes.Count);
                var length = Math.Min(bytes.Count - at, ChunkLength());
                bytes.RemoveRange(at, length);
                return $"{length} bytes deleted at {at}";
            }
            case 4:
            {
                var at = _random.Next(bytes.Count + 1);
                byte[] chunk;
                if (_random.Next(2) == 0)
                {
                    var from = _random.Next(bytes.Count);
                    chunk = bytes.GetRange(from, Math.Min(bytes.Count - from, ChunkLength())).ToArray();
                }
                else
                {
                    chunk = RandomBytes(ChunkLength());
                }
                bytes.InsertRange(at, chunk);
                return $"{chunk.Length} bytes inserted at {at}";
            }
            case 5:
            {
                var from = _random.Next(bytes.Count);
                var to = _random.Next(bytes.Count);
                var length = Math.Min(Math.Min(bytes.Count - from, bytes.Count - to), ChunkLength());
                var chunk = bytes.GetRange(from, length);
                for (var k = 0; k < length; k++) bytes[to + k] = chunk[k];
                return $"{length} bytes copied from {from} to {to}";
            }
            case 6:
            {
                var length = _random.Next(bytes.Count);
                bytes.RemoveRange(length, bytes.Count - length);
                return $"truncated to {length} bytes";
            }
            case 7:
            {
                if (other.Length == 0) goto case 6;
                var keep = _random.Next(bytes.Count + 1);
                var from = _random.Next(other.Length);
                bytes.RemoveRange(keep, bytes.Count - keep);
                bytes.AddRange(other.AsSpan(from).ToArray());
                return $"spliced: first {keep} bytes, then another seed from {from}";
            }
            default:
                return RewriteNumber(bytes);
        }
    }

    /// <summary>Replaces a run of ASCII digits (as in a JSON header or a .npy shape) with an interesting number.</summary>
    private string RewriteNumber(List<byte> bytes)
    {
        var starts = new List<int>();
        for (var i = 0; i < bytes.Count; i++)
        {
            if (IsDigit(bytes[i]) && (i == 0 || !IsDigit(bytes[i - 1]))) starts.Add(i);
        }
        if (starts.Count == 0)
        {
            var at = Offset(bytes.Count);
            bytes[at] = (byte)_random.Next(256);
            return $"byte {at} set to 0x{bytes[at]:x2} (no number to rewrite)";
        }
        var start = starts[_random.Next(starts.Count)];
        var end = start;
        while (end < bytes.Count && IsDigit(bytes[end])) end++;
        var number = InterestingNumbers[_random.Next(InterestingNumbers.Length)];
        bytes.RemoveRange(start, end - start);
        bytes.InsertRange(start, Encoding.ASCII.GetBytes(number));
        return $"number at {start} rewritten as {number}";
    }

    private static bool IsDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';

    /// <summary>An offset, half the time in the first kilobyte, where headers, directories and pickles live.</summary>
    private int Offset(int length) => _random.Next(2) == 0 ? _random.Next(Math.Min(length, 1024)) : _random.Next(length);

    private int ChunkLength() => _random.Next(4) == 0 ? 1 + _random.Next(256) : 1 + _random.Next(8);

    private byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        _random.NextBytes(bytes);
        return bytes;
    }
}
