using AutoTimm.Tests.Fixtures;
using AutoTimm.Imaging;
using TorchSharp;

namespace AutoTimm.Tests.Imaging;

public sealed class NpyTests
{
    // These tests call TorchSharp directly, possibly before any AutoTimm type loads the natives.
    /// <summary>The array the fixtures hold: (arange(24).reshape(2,3,4) - 11.5) / 8, exact in float16 too.</summary>
    private static readonly float[] Base = Enumerable.Range(0, 24).Select(i => (i - 11.5f) / 8f).ToArray();

    [Theory]
    [InlineData("f32.npy")]
    [InlineData("f64.npy")]
    [InlineData("f16.npy")]
    public void Should_read_numpy_float_arrays_as_float32_tensors(string file)
    {
        using var tensor = Npy.Load(ImagingFixtures.PathOf("npy", file));

        Assert.Equal(torch.ScalarType.Float32, tensor.dtype);
        Assert.Equal([2L, 3, 4], tensor.shape);
        Assert.Equal(Base, tensor.data<float>().ToArray());
    }

    [Fact]
    public void Should_read_vectors_and_scalars()
    {
        using var vector = Npy.Load(ImagingFixtures.PathOf("npy", "vector.npy"));
        using var scalar = Npy.Load(ImagingFixtures.PathOf("npy", "scalar.npy"));

        Assert.Equal([3L], vector.shape);
        Assert.Equal([1.5f, -2f, 3.25f], vector.data<float>().ToArray());
        Assert.Empty(scalar.shape);
        Assert.Equal(7f, scalar.item<float>());
    }

    [Theory]
    [InlineData("fortran.npy", "Fortran-order")]
    [InlineData("bigendian.npy", "big-endian")]
    [InlineData("object.npy", "object arrays")]
    [InlineData("int32.npy", "'<i4' is not supported")]
    public void Should_refuse_unsupported_arrays_naming_file_and_problem(string file, string problem)
    {
        var path = ImagingFixtures.PathOf("npy", file);

        var e = Assert.Throws<InvalidDataException>(() => Npy.Load(path));

        Assert.Contains(path, e.Message);
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void Should_refuse_truncated_data_and_headers()
    {
        var bytes = File.ReadAllBytes(ImagingFixtures.PathOf("npy", "f32.npy"));
        using var dir = new TempDirectory();
        var shortData = dir.File("short.npy");
        var shortHeader = dir.File("header.npy");
        File.WriteAllBytes(shortData, bytes[..^5]);
        File.WriteAllBytes(shortHeader, bytes[..40]);

        var e1 = Assert.Throws<InvalidDataException>(() => Npy.Load(shortData));
        var e2 = Assert.Throws<InvalidDataException>(() => Npy.Load(shortHeader));

        Assert.Contains("short.npy", e1.Message);
        Assert.Contains("truncated: shape (2, 3, 4) of float32 needs 96 bytes, 91 present", e1.Message);
        Assert.Contains("header is truncated", e2.Message);
        Assert.Throws<FileNotFoundException>(() => Npy.Load(dir.File("missing.npy")));
        Assert.Contains("magic", Assert.Throws<InvalidDataException>(() => Npy.Read(new MemoryStream("not numpy at all"u8.ToArray()))).Message);
    }

    [Theory]
    [InlineData("f32.npy")]
    [InlineData("vector.npy")]
    [InlineData("scalar.npy")]
    [InlineData("input_1x3x8x6.npy")]
    public void Should_write_the_same_bytes_as_numpy_save(string file)
    {
        // Given numpy's own float32 file, read into a tensor
        var numpyBytes = File.ReadAllBytes(ImagingFixtures.PathOf("npy", file));
        using var tensor = Npy.Read(new MemoryStream(numpyBytes));

        // When written back
        using var written = new MemoryStream();
        Npy.Write(written, tensor);

        // Then header and data are byte-identical
        Assert.Equal(numpyBytes, written.ToArray());
    }

    [Fact]
    public void Should_round_trip_float32_through_an_atomic_save()
    {
        using var dir = new TempDirectory();
        var path = dir.File("attr.npy");
        using var tensor = torch.randn([1, 3, 5, 7], generator: new torch.Generator(3));

        Npy.Save(path, tensor);
        using var back = Npy.Load(path);

        Assert.Equal(["attr.npy"], dir.Entries());
        Assert.Equal(tensor.shape, back.shape);
        Assert.Equal(tensor.data<float>().ToArray(), back.data<float>().ToArray());
    }

    [Fact]
    public void Should_convert_other_float_types_and_refuse_integers_when_writing()
    {
        using var doubles = torch.tensor(new double[] { 0.1, 0.2 });
        using var ints = torch.tensor(new long[] { 1, 2 });
        using var stream = new MemoryStream();

        Npy.Write(stream, doubles);
        stream.Position = 0;
        using var back = Npy.Read(stream);

        Assert.Equal([0.1f, 0.2f], back.data<float>().ToArray());
        Assert.Contains("Int64", Assert.Throws<ArgumentException>(() => Npy.Write(new MemoryStream(), ints)).Message);
    }

    [Fact]
    public void Should_encode_values_and_a_shape_as_it_encodes_the_tensor_and_refuse_a_shape_of_another_size()
    {
        using var tensor = torch.randn([2, 3, 4], generator: new torch.Generator(5));
        var values = tensor.data<float>().ToArray();

        Assert.Equal(Npy.Encode(tensor), Npy.Encode(values, [2, 3, 4]));
        Assert.Contains("[2,3,5]", Assert.Throws<ArgumentException>(() => Npy.Encode(values, [2, 3, 5])).Message);
        Assert.Throws<ArgumentException>(() => Npy.Encode(values, [-2, -3, 4]));
    }

    [Fact]
    public void Should_stream_values_as_the_bytes_it_encodes_and_write_nothing_for_a_shape_of_another_size()
    {
        var values = Enumerable.Range(0, 24).Select(i => MathF.Sin(i) * 1e3f).ToArray();
        using var written = new MemoryStream();
        using var refused = new MemoryStream();

        Npy.Write(written, values, [2, 3, 4]);

        Assert.Equal(Npy.Encode(values, [2, 3, 4]), written.ToArray());
        Assert.Throws<ArgumentException>(() => Npy.Write(refused, values, [5, 5]));
        Assert.Equal(0, refused.Length);
    }
}
