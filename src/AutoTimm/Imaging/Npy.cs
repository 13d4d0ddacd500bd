using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using AutoTimm.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoTimm.Imaging;

/// <summary>
/// Reads and writes numpy <c>.npy</c> files: the format tools exchange raw maps, attributions and preprocessed
/// inputs in.
/// </summary>
/// <remarks>
/// Reading accepts little-endian float32, float64 and float16 arrays in C order (format versions 1-3) and returns
/// float32. Big-endian data, Fortran order, object (pickled) arrays, structured and non-float dtypes, and files
/// whose data is shorter or longer than the header says are refused with an <see cref="InvalidDataException"/> that names the
/// file and the problem. Writing produces float32 files byte-identical to <c>numpy.save</c>, atomically.
/// </remarks>
public static class Npy
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];
    private const int Align = 64;
    private const int GrowthAxisMaxDigits = 21;

    /// <summary>Loads the array in the <c>.npy</c> file at <paramref name="path"/> as a float32 CPU tensor of its shape.</summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">The file is not a supported <c>.npy</c> array.</exception>
    public static Tensor Load(string path) => ToTensor(LoadArray(path));

    /// <summary>Reads a <c>.npy</c> array from <paramref name="stream"/> (current position to end) as a float32 CPU tensor.</summary>
    /// <param name="stream">A readable stream; not closed.</param>
    /// <param name="name">How error messages refer to the data.</param>
    /// <exception cref="InvalidDataException">The data is not a supported <c>.npy</c> array.</exception>
    public static Tensor Read(Stream stream, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return ToTensor(Parse(buffer.ToArray(), name ?? "(npy stream)"));
    }

    /// <summary>
    /// Writes <paramref name="tensor"/> to <paramref name="path"/> as a float32 <c>.npy</c> file, atomically (the
    /// file holds the old content or the complete new array, never part of it). Other float dtypes are converted.
    /// </summary>
    /// <exception cref="ArgumentException">The tensor is not floating-point.</exception>
    /// <exception cref="DirectoryNotFoundException">The target directory does not exist.</exception>
    public static void Save(string path, Tensor tensor)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var bytes = Encode(tensor);
        AtomicFile.WriteAllBytes(path, bytes);
    }

    /// <summary>Writes <paramref name="tensor"/> to <paramref name="stream"/> as a float32 <c>.npy</c> array.</summary>
    /// <exception cref="ArgumentException">The tensor is not floating-point.</exception>
    public static void Write(Stream stream, Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Write(stream, Float32Values(tensor), tensor.shape);
    }

    internal static NpyArray LoadArray(string path)
    {
        return Parse(InputFile.ReadAllBytes(path, "array"), path);
    }

    internal static bool HasMagic(ReadOnlySpan<byte> data) => data.StartsWith(Magic);

    internal static Tensor ToTensor(NpyArray array) => torch.tensor(array.Data, array.Shape, ScalarType.Float32);

    internal static NpyArray Parse(byte[] data, string source)
    {
        InvalidDataException Bad(string problem) => new($"Cannot read .npy {source}: {problem}");

        if (data.Length < 10 || !HasMagic(data))
            throw Bad(data.Length == 0 ? "the file is empty." : "it does not start with the numpy magic string \\x93NUMPY.");
        var major = data[6];
        int headerLength, headerStart;
        switch (major)
        {
            case 1:
                headerLength = BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(8));
                headerStart = 10;
                break;
            case 2 or 3:
                if (data.Length < 12) throw Bad("the header is truncated.");
                var length = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(8));
                if (length > int.MaxValue) throw Bad($"header length {length} is implausible.");
                headerLength = (int)length;
                headerStart = 12;
                break;
            default:
                throw Bad($"format version {major}.{data[7]} is not supported (1.0 to 3.0 are).");
        }
        if ((long)headerStart + headerLength > data.Length)
            throw Bad($"the header is truncated ({headerLength} bytes announced, {data.Length - headerStart} present).");

        var encoding = major == 3 ? Encoding.UTF8 : Encoding.Latin1;
        var header = NpyHeader.Parse(encoding.GetString(data, headerStart, headerLength), Bad);

        var (kind, itemSize) = header.Descr switch
        {
            "<f4" or "=f4" => ("float32", 4),
            "<f8" or "=f8" => ("float64", 8),
            "<f2" or "=f2" => ("float16", 2),
            ['>', 'f', ..] => throw Bad($"big-endian data ('{header.Descr}') is not supported; save it little-endian (array.astype('<f4'))."),
            ['|', 'O'] or ['<', 'O'] or ['>', 'O'] or ['=', 'O'] => throw Bad("object arrays (pickled Python objects) are not supported; only numeric float arrays are read."),
            _ => throw Bad($"dtype '{header.Descr}' is not supported; expected float32 ('<f4'), float64 ('<f8') or float16 ('<f2')."),
        };
        if (header.FortranOrder)
            throw Bad("Fortran-order arrays are not supported; save a C-order array (numpy.ascontiguousarray).");

        long count = 1;
        foreach (var dim in header.Shape)
        {
            count *= dim;
            if (count > Array.MaxLength) throw Bad($"shape ({string.Join(", ", header.Shape)}) is too large.");
        }
        var offset = headerStart + headerLength;
        var expected = count * itemSize;
        var present = data.Length - offset;
        if (present < expected)
            throw Bad($"the data is truncated: shape ({string.Join(", ", header.Shape)}) of {kind} needs {expected} bytes, {present} present.");
        if (present > expected)
            throw Bad($"{present - expected} unexpected bytes follow the {expected} bytes of array data.");

        var body = data.AsSpan(offset, (int)expected);
        var values = new float[count];
        switch (itemSize)
        {
            case 4:
                body.CopyTo(MemoryMarshal.AsBytes(values.AsSpan()));
                break;
            case 8:
                for (var i = 0; i < values.Length; i++) values[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(body[(i * 8)..]);
                break;
            default:
                for (var i = 0; i < values.Length; i++) values[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(body[(i * 2)..]);
                break;
        }
        return new NpyArray(values, header.Shape);
    }

    internal static byte[] Encode(Tensor tensor) => Encode(Float32Values(tensor), tensor.shape);

    // A floating-point tensor's values as float32, row-major.
    private static float[] Float32Values(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (!tensor.is_floating_point())
            throw new ArgumentException($"Only floating-point tensors are written as float32 .npy; got {tensor.dtype}.", nameof(tensor));
        using (torch.NewDisposeScope())
            return tensor.detach().to(ScalarType.Float32).CopyToArray<float>();
    }

    /// <summary>The bytes of a float32 <c>.npy</c> file holding <paramref name="values"/> (row-major) with <paramref name="shape"/>.</summary>
    /// <exception cref="ArgumentException">The shape does not hold that many values.</exception>
    internal static byte[] Encode(ReadOnlySpan<float> values, long[] shape)
    {
        var header = Header(values.Length, shape);
        var output = new byte[header.Length + (values.Length * sizeof(float))];
        header.CopyTo(output, 0);
        MemoryMarshal.AsBytes(values).CopyTo(output.AsSpan(header.Length));
        return output;
    }

    /// <summary>Writes <see cref="Encode(ReadOnlySpan{float}, long[])"/>'s bytes to <paramref name="stream"/>, the values straight from their memory.</summary>
    /// <exception cref="ArgumentException">The shape does not hold that many values.</exception>
    internal static void Write(Stream stream, ReadOnlySpan<float> values, long[] shape)
    {
        ArgumentNullException.ThrowIfNull(stream);
        stream.Write(Header(values.Length, shape));
        stream.Write(MemoryMarshal.AsBytes(values));
    }

    // The magic, version, header length and header text of a float32 array: everything before the values.
    private static byte[] Header(int valueCount, long[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        long count = 1;
        foreach (var d in shape) count *= d;
        if (shape.Any(d => d < 0) || count != valueCount)
            throw new ArgumentException($"Shape [{string.Join(",", shape)}] does not hold {valueCount} values.", nameof(shape));
        var shapeText = shape.Length switch
        {
            0 => "()",
            1 => $"({shape[0].ToString(CultureInfo.InvariantCulture)},)",
            _ => $"({string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture)))})",
        };
        // numpy.save's layout exactly: sorted keys, spare spaces to let the first axis grow, padding to 64 bytes.
        var dict = $"{{'descr': '<f4', 'fortran_order': False, 'shape': {shapeText}, }}";
        if (shape.Length > 0) dict += new string(' ', GrowthAxisMaxDigits - shape[0].ToString(CultureInfo.InvariantCulture).Length);
        var headerLength = dict.Length + 1;
        var padding = Align - ((Magic.Length + 2 + 2 + headerLength) % Align);
        var total = headerLength + padding;
        if (total > ushort.MaxValue) throw new ArgumentException($"Rank {shape.Length} gives a header too long for .npy 1.0.", nameof(shape));

        var output = new byte[Magic.Length + 4 + total];
        Magic.CopyTo(output, 0);
        output[6] = 1;
        output[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(output.AsSpan(8), (ushort)total);
        var text = Encoding.Latin1.GetBytes(dict + new string(' ', padding) + "\n");
        text.CopyTo(output, 10);
        return output;
    }
}

/// <summary>A float32 array read from a .npy file, kept managed so callers decide when a tensor is made.</summary>
internal sealed record NpyArray(float[] Data, long[] Shape)
{
    public string ShapeText => $"[{string.Join(",", Shape)}]";
}
