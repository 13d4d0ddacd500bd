using System.Buffers.Binary;
using System.IO.Hashing;

namespace AutoTimm.Fuzz;

/// <summary>
/// Recomputes the CRC-32 of every stored (uncompressed) entry of a zip: in the central directory entry, the local
/// header and the data descriptor that torch.save writes after the data. Sizes and offsets are taken from the
/// (possibly mutated) central directory as far as they make sense; anything else is left as it is, for the reader to
/// refuse cleanly.
/// </summary>
public static class ZipChecksums
{
    private const uint LocalHeader = 0x04034b50, CentralHeader = 0x02014b50, DataDescriptor = 0x08074b50;

    /// <summary>A copy of <paramref name="zip"/> with repaired checksums.</summary>
    public static byte[] Repair(byte[] zip)
    {
        var bytes = (byte[])zip.Clone();
        for (int i = 0; i + 46 <= bytes.Length; i++)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(i)) != CentralHeader) continue;
            var central = bytes.AsSpan(i);
            ushort method = BinaryPrimitives.ReadUInt16LittleEndian(central[10..]);
            long size = BinaryPrimitives.ReadUInt32LittleEndian(central[24..]);
            long local = BinaryPrimitives.ReadUInt32LittleEndian(central[42..]);
            if (method != 0 || local + 30 > bytes.Length || BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan((int)local)) != LocalHeader) continue;
            var header = bytes.AsSpan((int)local);
            long start = local + 30 + BinaryPrimitives.ReadUInt16LittleEndian(header[26..]) + BinaryPrimitives.ReadUInt16LittleEndian(header[28..]);
            if (start + size > bytes.Length) continue;
            uint crc = Crc32.HashToUInt32(bytes.AsSpan((int)start, (int)size));
            BinaryPrimitives.WriteUInt32LittleEndian(central[16..], crc);
            if (BinaryPrimitives.ReadUInt32LittleEndian(header[14..]) != 0) BinaryPrimitives.WriteUInt32LittleEndian(header[14..], crc);
            long after = start + size;
            if (after + 8 <= bytes.Length && BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan((int)after)) == DataDescriptor)
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan((int)after + 4), crc);
        }
        return bytes;
    }
}
