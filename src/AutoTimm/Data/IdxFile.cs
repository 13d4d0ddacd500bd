using System.Buffers.Binary;
using System.IO.Compression;

namespace AutoTimm.Data;

/// <summary>
/// Reads IDX files (the format of MNIST and Fashion-MNIST): a big-endian header with a magic number that names the
/// element type and the number of dimensions, one 32-bit size per dimension, then the raw elements.
/// Gzip-compressed files are recognised by their content, not their name.
/// </summary>
public static class IdxFile
{
    /// <summary>IDX element type code for unsigned bytes.</summary>
    public const byte UnsignedByteType = 0x08;

    /// <summary>Reads an IDX file of unsigned bytes with the expected number of dimensions.</summary>
    /// <param name="path">File path, raw or gzip-compressed.</param>
    /// <param name="expectedDimensions">Number of dimensions the file must declare (1 for labels, 3 for images).</param>
    /// <returns>The dimension sizes and the elements, row-major.</returns>
    /// <exception cref="InvalidDataException">The magic number, dimensions or length are wrong, or the file is truncated.</exception>
    public static (int[] Shape, byte[] Data) ReadBytes(string path, int expectedDimensions)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(expectedDimensions, 1);
        using var file = File.OpenRead(path);
        using var stream = IsGzip(file) ? new GZipStream(file, CompressionMode.Decompress) : (Stream)file;
        try
        {
            return ReadBytes(stream, expectedDimensions, path);
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(path + ":", StringComparison.Ordinal))
        {
            // Raised by the decompressor, not by the IDX checks.
            throw new InvalidDataException($"{path}: corrupt gzip stream ({e.Message}).", e);
        }
    }

    /// <summary>Reads an IDX stream of unsigned bytes with the expected number of dimensions.</summary>
    /// <param name="stream">Uncompressed IDX content.</param>
    /// <param name="expectedDimensions">Number of dimensions the stream must declare.</param>
    /// <param name="name">Name used in error messages.</param>
    /// <returns>The dimension sizes and the elements, row-major.</returns>
    /// <exception cref="InvalidDataException">The magic number, dimensions or length are wrong, or the stream is truncated.</exception>
    public static (int[] Shape, byte[] Data) ReadBytes(Stream stream, int expectedDimensions, string name = "IDX stream")
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfLessThan(expectedDimensions, 1);
        Span<byte> magic = stackalloc byte[4];
        var got = ReadFully(stream, magic);
        if (got < 4)
            throw new InvalidDataException($"{name}: truncated IDX header: {got} of 4 magic bytes present.");
        if (magic[0] != 0 || magic[1] != 0)
            throw new InvalidDataException(
                $"{name}: not an IDX file (magic number 0x{BinaryPrimitives.ReadUInt32BigEndian(magic):X8}; IDX files start with two zero bytes).");
        if (magic[2] != UnsignedByteType)
            throw new InvalidDataException($"{name}: IDX element type 0x{magic[2]:X2} is not unsigned byte (0x08).");
        if (magic[3] != expectedDimensions)
            throw new InvalidDataException(
                $"{name}: IDX file has {magic[3]} dimensions, expected {expectedDimensions} (magic 0x{BinaryPrimitives.ReadUInt32BigEndian(magic):X8}).");

        var shape = new int[expectedDimensions];
        Span<byte> sizeBytes = stackalloc byte[4 * expectedDimensions];
        got = ReadFully(stream, sizeBytes);
        if (got < sizeBytes.Length)
            throw new InvalidDataException($"{name}: truncated IDX header: {got} of {sizeBytes.Length} dimension bytes present.");
        long total = 1;
        for (var d = 0; d < expectedDimensions; d++)
        {
            var size = BinaryPrimitives.ReadInt32BigEndian(sizeBytes[(4 * d)..]);
            if (size < 0)
                throw new InvalidDataException($"{name}: IDX dimension {d} has negative size {size}.");
            shape[d] = size;
            total *= size;
        }
        if (total > Array.MaxLength)
            throw new InvalidDataException($"{name}: IDX shape [{string.Join(", ", shape)}] is too large ({total} elements).");

        var data = new byte[total];
        got = ReadFully(stream, data);
        if (got < total)
            throw new InvalidDataException(
                $"{name}: truncated IDX file: shape [{string.Join(", ", shape)}] needs {total} data bytes, found {got}.");
        return (shape, data);
    }

    /// <summary>Writes an IDX file of unsigned bytes (gzip-compressed when <paramref name="gzip"/> is set).</summary>
    /// <param name="path">Destination path.</param>
    /// <param name="shape">Dimension sizes.</param>
    /// <param name="data">Elements, row-major; their count must equal the product of <paramref name="shape"/>.</param>
    /// <param name="gzip">Whether to gzip the file.</param>
    public static void WriteBytes(string path, IReadOnlyList<int> shape, ReadOnlySpan<byte> data, bool gzip = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Count is < 1 or > 255)
            throw new ArgumentException("An IDX file has 1 to 255 dimensions.", nameof(shape));
        long total = 1;
        foreach (var size in shape)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(size, nameof(shape));
            total *= size;
        }
        if (total != data.Length)
            throw new ArgumentException($"Shape [{string.Join(", ", shape)}] needs {total} elements, got {data.Length}.", nameof(data));

        using var file = File.Create(path);
        using var stream = gzip ? new GZipStream(file, CompressionLevel.Fastest) : (Stream)file;
        Span<byte> word = stackalloc byte[4];
        word[0] = 0;
        word[1] = 0;
        word[2] = UnsignedByteType;
        word[3] = (byte)shape.Count;
        stream.Write(word);
        foreach (var size in shape)
        {
            BinaryPrimitives.WriteInt32BigEndian(word, size);
            stream.Write(word);
        }
        stream.Write(data);
    }

    private static bool IsGzip(FileStream file)
    {
        Span<byte> head = stackalloc byte[2];
        var got = ReadFully(file, head);
        file.Position = 0;
        return got == 2 && head[0] == 0x1F && head[1] == 0x8B;
    }

    private static int ReadFully(Stream stream, Span<byte> buffer)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = stream.Read(buffer[total..]);
            if (n == 0) break;
            total += n;
        }
        return total;
    }
}
