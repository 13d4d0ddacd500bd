using System.IO.Hashing;
using TorchSharp;

namespace AutoTimm.Models.Checkpoints;

/// <summary>Moves raw little-endian tensor data between streams and CPU tensors, in chunks of at most 1 GiB.</summary>
internal static class TensorBytes
{
    private const long ChunkBytes = 1L << 30;

    /// <summary>Reads <paramref name="numel"/> elements into a new 1-D CPU tensor.</summary>
    /// <param name="stream">The data.</param>
    /// <param name="type">The element type.</param>
    /// <param name="elementSize">Bytes per element.</param>
    /// <param name="numel">Number of elements.</param>
    /// <param name="checksum">When given, every byte read is appended to it.</param>
    /// <exception cref="EndOfStreamException">The stream ends first.</exception>
    public static torch.Tensor Read(Stream stream, torch.ScalarType type, int elementSize, long numel, Crc32? checksum = null)
    {
        var tensor = torch.empty([numel], type);
        try
        {
            var perChunk = Math.Max(1, ChunkBytes / elementSize);
            for (long start = 0; start < numel; start += perChunk)
            {
                var count = Math.Min(perChunk, numel - start);
                using var part = tensor.narrow(0, start, count);
                var bytes = part.bytes;
                stream.ReadExactly(bytes);
                checksum?.Append(bytes);
            }
            if (type == torch.ScalarType.Bool) CheckBooleans(tensor);
            return tensor;
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
    }

    /// <summary>Writes a tensor's elements in row-major order (any device, any layout).</summary>
    public static void Write(Stream stream, torch.Tensor tensor)
    {
        using var scope = torch.NewDisposeScope();
        var flat = tensor.detach().cpu().contiguous().reshape(-1);
        var numel = flat.numel();
        var perChunk = Math.Max(1, ChunkBytes / flat.ElementSize);
        for (long start = 0; start < numel; start += perChunk)
        {
            var count = Math.Min(perChunk, numel - start);
            stream.Write(flat.narrow(0, start, count).bytes);
        }
    }

    /// <summary>libtorch assumes booleans are 0 or 1; any other byte would make later operations undefined.</summary>
    private static void CheckBooleans(torch.Tensor tensor)
    {
        var numel = tensor.numel();
        var perChunk = ChunkBytes;
        for (long start = 0; start < numel; start += perChunk)
        {
            using var part = tensor.narrow(0, start, Math.Min(perChunk, numel - start));
            foreach (var b in part.bytes)
            {
                if (b > 1) throw new CheckpointFormatException($"Invalid BOOL element byte 0x{b:x2} (must be 0 or 1).");
            }
        }
    }
}
