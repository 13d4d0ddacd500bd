namespace AutoTimm.Tests.Fixtures;

/// <summary>Deterministic corruptions of a valid file: byte flips, random bytes, truncations, and combinations.</summary>
internal static class CorruptionFuzzer
{
    public static IEnumerable<(string Description, byte[] Bytes)> Mutations(byte[] original, int count, int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < count; i++)
        {
            var bytes = (byte[])original.Clone();
            string description;
            switch (i % 4)
            {
                case 0:
                    var at = random.Next(bytes.Length);
                    var bit = random.Next(8);
                    bytes[at] ^= (byte)(1 << bit);
                    description = $"bit {bit} of byte {at} flipped";
                    break;
                case 1:
                    // Bias towards the structural start of the file, where headers and pickles live.
                    var pos = random.Next(2) == 0 ? random.Next(Math.Min(bytes.Length, 1024)) : random.Next(bytes.Length);
                    var value = (byte)random.Next(256);
                    bytes[pos] = value;
                    description = $"byte {pos} set to 0x{value:x2}";
                    break;
                case 2:
                    var length = random.Next(bytes.Length);
                    bytes = bytes[..length];
                    description = $"truncated to {length} bytes";
                    break;
                default:
                    var flips = 1 + random.Next(8);
                    for (var f = 0; f < flips; f++) bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                    description = $"{flips} random bytes overwritten";
                    break;
            }
            yield return (description, bytes);
        }
    }
}
