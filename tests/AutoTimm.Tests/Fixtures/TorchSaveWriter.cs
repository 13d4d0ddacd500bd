using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using TorchSharp;

namespace AutoTimm.Tests.Fixtures;

/// <summary>
/// Writes a <c>torch.save</c> zip the way PyTorch lays it out (<c>archive/data.pkl</c> as a protocol-2 pickle whose
/// tensors are <c>torch._utils._rebuild_tensor_v2</c> calls over persistent storages in <c>archive/data/N</c>), so tests
/// can build Lightning-style checkpoints of any model without Python. Values are nested dictionaries (string keys),
/// strings, longs, doubles, booleans and float32 or int64 tensors. The tests read these files with our own reader only;
/// the fixtures made by PyTorch itself (<c>tests/fixtures/pytorch</c>) are what show that reader follows PyTorch.
/// </summary>
internal static class TorchSaveWriter
{
    public static void Write(string path, IReadOnlyDictionary<string, object> root)
    {
        var storages = new List<byte[]>();
        var pickle = new MemoryStream();
        pickle.Write([0x80, 0x02]); // PROTO 2
        WriteValue(pickle, root, storages);
        pickle.WriteByte((byte)'.');

        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        Add(zip, "archive/data.pkl", pickle.ToArray());
        Add(zip, "archive/byteorder", "little"u8.ToArray());
        for (var i = 0; i < storages.Count; i++)
        {
            Add(zip, $"archive/data/{i}", storages[i]);
        }
        Add(zip, "archive/version", "3\n"u8.ToArray());
    }

    private static void Add(ZipArchive zip, string name, byte[] bytes)
    {
        using var stream = zip.CreateEntry(name, CompressionLevel.NoCompression).Open();
        stream.Write(bytes);
    }

    private static void WriteValue(Stream s, object value, List<byte[]> storages)
    {
        switch (value)
        {
            case IReadOnlyDictionary<string, object> dict:
                s.WriteByte((byte)'}');
                if (dict.Count == 0) break;
                s.WriteByte((byte)'(');
                foreach (var (key, item) in dict)
                {
                    WriteString(s, key);
                    WriteValue(s, item, storages);
                }
                s.WriteByte((byte)'u'); // SETITEMS
                break;
            case string text:
                WriteString(s, text);
                break;
            case bool flag:
                s.WriteByte(flag ? (byte)0x88 : (byte)0x89);
                break;
            case int or long:
                WriteInt(s, Convert.ToInt64(value));
                break;
            case double number:
                Span<byte> f = stackalloc byte[8];
                BinaryPrimitives.WriteDoubleBigEndian(f, number);
                s.WriteByte((byte)'G');
                s.Write(f);
                break;
            case torch.Tensor tensor:
                WriteTensor(s, tensor, storages);
                break;
            default:
                throw new ArgumentException($"cannot pickle a {value.GetType().Name}");
        }
    }

    private static void WriteTensor(Stream s, torch.Tensor tensor, List<byte[]> storages)
    {
        if (tensor.dtype != torch.float32 && tensor.dtype != torch.int64)
            throw new ArgumentException($"only float32 and int64 tensors are written, not {tensor.dtype}");
        var isLong = tensor.dtype == torch.int64;
        using var flat = tensor.detach().cpu().contiguous();
        byte[] data = isLong
            ? System.Runtime.InteropServices.MemoryMarshal.AsBytes(flat.data<long>().ToArray().AsSpan()).ToArray()
            : System.Runtime.InteropServices.MemoryMarshal.AsBytes(flat.data<float>().ToArray().AsSpan()).ToArray();
        var key = storages.Count;
        storages.Add(data);
        var shape = tensor.shape;
        var stride = new long[shape.Length];
        for (long i = shape.Length - 1, step = 1; i >= 0; i--)
        {
            stride[i] = step;
            step *= shape[i];
        }

        WriteGlobal(s, "torch._utils", "_rebuild_tensor_v2");
        s.WriteByte((byte)'(');
        s.WriteByte((byte)'('); // persistent id: ('storage', torch.FloatStorage, key, location, numel)
        WriteString(s, "storage");
        WriteGlobal(s, "torch", isLong ? "LongStorage" : "FloatStorage");
        WriteString(s, key.ToString(System.Globalization.CultureInfo.InvariantCulture));
        WriteString(s, "cpu");
        WriteInt(s, tensor.numel());
        s.WriteByte((byte)'t');
        s.WriteByte((byte)'Q'); // BINPERSID
        WriteInt(s, 0); // storage offset
        WriteTuple(s, shape);
        WriteTuple(s, stride);
        s.WriteByte(0x89); // requires_grad False
        WriteGlobal(s, "collections", "OrderedDict");
        s.WriteByte((byte)')');
        s.WriteByte((byte)'R'); // backward hooks: OrderedDict()
        s.WriteByte((byte)'t');
        s.WriteByte((byte)'R');
    }

    private static void WriteTuple(Stream s, long[] values)
    {
        s.WriteByte((byte)'(');
        foreach (var v in values) WriteInt(s, v);
        s.WriteByte((byte)'t');
    }

    private static void WriteGlobal(Stream s, string module, string name) =>
        s.Write(Encoding.ASCII.GetBytes($"c{module}\n{name}\n"));

    private static void WriteString(Stream s, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, bytes.Length);
        s.WriteByte((byte)'X');
        s.Write(length);
        s.Write(bytes);
    }

    private static void WriteInt(Stream s, long value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(b, checked((int)value));
        s.WriteByte((byte)'J');
        s.Write(b);
    }
}
