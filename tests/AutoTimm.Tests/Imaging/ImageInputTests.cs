using AutoTimm.Tests.Fixtures;
using AutoTimm.Imaging;
using TorchSharp;

namespace AutoTimm.Tests.Imaging;

public sealed class ImageInputTests
{
    // These tests call TorchSharp directly, possibly before any AutoTimm type loads the natives.
    private static readonly PreprocessConfig Small = PreprocessConfig.ImageNet with { Height = 8, Width = 6 };

    private static bool Same(torch.Tensor a, torch.Tensor b)
    {
        using var scope = torch.NewDisposeScope();
        return a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();
    }

    [Fact]
    public void Should_preprocess_an_image_file_into_a_batch_of_one()
    {
        var path = ImagingFixtures.PathOf("preprocess", "input.png");
        ImageInput input = path;

        using var x = input.ToModelInput(Small);
        using var expected = new Preprocessor(Small).Apply(ImageIO.Load(path));

        Assert.Equal([1L, 3, 8, 6], x.shape);
        Assert.Equal(torch.ScalarType.Float32, x.dtype);
        using var first = x[0];
        Assert.True(Same(expected, first));
        Assert.Equal("input", input.Name);
        Assert.False(input.IsPreprocessed);
    }

    [Fact]
    public void Should_give_the_same_input_from_a_path_bytes_a_stream_and_a_decoded_image()
    {
        var path = ImagingFixtures.PathOf("preprocess", "input.png");
        var bytes = File.ReadAllBytes(path);
        ImageInput fromBytes = bytes;
        ImageInput fromImage = ImageIO.Load(path);
        ImageInput fromStream;
        using (var stream = File.OpenRead(path)) fromStream = ImageInput.FromStream(stream, "cam");
        Array.Clear(bytes); // inputs keep their own copy

        using var a = ImageInput.FromFile(path).ToModelInput(Small);
        using var b = fromBytes.ToModelInput(Small);
        using var c = fromStream.ToModelInput(Small);
        using var d = fromImage.ToModelInput(Small);

        Assert.True(Same(a, b));
        Assert.True(Same(a, c));
        Assert.True(Same(a, d));
        Assert.Null(fromBytes.Name);
        Assert.Equal("cam", fromStream.Name);
    }

    [Fact]
    public void Should_use_a_npy_file_as_the_model_input_unchanged()
    {
        var path = ImagingFixtures.PathOf("npy", "input_1x3x8x6.npy");
        ImageInput input = path;

        using var x = input.ToModelInput(Small);
        using var expected = Npy.Load(path);

        Assert.True(Same(expected, x));
        Assert.True(input.IsPreprocessed);
        Assert.Equal("input_1x3x8x6", input.Name);
    }

    [Theory]
    [InlineData("image")]
    [InlineData("npy")]
    [InlineData("tensor")]
    public void Should_write_exactly_the_model_input_values_into_a_span(string kind)
    {
        using var tensor = torch.randn([3, 8, 6], generator: new torch.Generator(2));
        ImageInput input = kind switch
        {
            "image" => ImagingFixtures.PathOf("preprocess", "input.png"),
            "npy" => ImagingFixtures.PathOf("npy", "input_1x3x8x6.npy"),
            _ => tensor,
        };
        using var x = input.ToModelInput(Small);
        var expected = x.data<float>().ToArray();
        var buffer = Enumerable.Repeat(float.NaN, expected.Length + 2).ToArray();

        input.WriteModelInput(Small, buffer.AsSpan(1, expected.Length));

        Assert.Equal(expected, buffer[1..^1]);
        Assert.True(float.IsNaN(buffer[0]) && float.IsNaN(buffer[^1]), "nothing outside the destination is written");
        Assert.Throws<ArgumentException>(() => input.WriteModelInput(Small, buffer));
    }

    [Fact]
    public void Should_accept_an_unbatched_tensor_and_return_an_independent_float32_copy()
    {
        using var tensor = torch.randn([3, 8, 6], torch.ScalarType.Float64, generator: new torch.Generator(1));
        ImageInput input = tensor;

        using var x = input.ToModelInput(Small);
        x.zero_();

        Assert.Equal([1L, 3, 8, 6], x.shape);
        Assert.Equal(torch.ScalarType.Float32, x.dtype);
        using var sum = tensor.abs().sum();
        Assert.True(sum.item<double>() > 0, "the caller's tensor must not change");
        Assert.Null(input.Name);
    }

    [Theory]
    [InlineData(new long[] { 1, 4, 8, 6 }, "shape [1,4,8,6] with 4 channels; expected [3,8,6] or [1,3,8,6]")]
    [InlineData(new long[] { 1, 8, 6 }, "shape [1,8,6] with 1 channels; expected [3,8,6] or [1,3,8,6]")]
    [InlineData(new long[] { 3, 224, 224 }, "shape [3,224,224]; expected [3,8,6] or [1,3,8,6] (the model's input size 8x6)")]
    [InlineData(new long[] { 2, 3, 8, 6 }, "shape [2,3,8,6]; expected [3,8,6] or [1,3,8,6] (a batch of 2")]
    [InlineData(new long[] { 3, 8 }, "shape [3,8]; expected [3,8,6] or [1,3,8,6]")]
    public void Should_name_the_shape_found_and_the_shape_expected(long[] shape, string message)
    {
        using var tensor = torch.zeros(shape);

        var e = Assert.Throws<ArgumentException>(() => ImageInput.FromTensor(tensor).ToModelInput(Small));

        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Should_refuse_integer_and_non_finite_tensors()
    {
        using var bytes = torch.zeros([3, 8, 6], torch.ScalarType.Byte);
        using var nan = torch.zeros(3, 8, 6);
        nan[1, 2, 3] = torch.tensor(float.NaN);

        Assert.Contains("dtype Byte", Assert.Throws<ArgumentException>(() => ImageInput.FromTensor(bytes).ToModelInput(Small)).Message);
        Assert.Contains("NaN or infinite", Assert.Throws<ArgumentException>(() => ImageInput.FromTensor(nan, "bad").ToModelInput(Small)).Message);
    }

    [Fact]
    public void Should_check_npy_inputs_like_tensors()
    {
        using var dir = new TempDirectory();
        var path = dir.File("gray.npy");
        using (var gray = torch.zeros(1, 8, 6)) Npy.Save(path, gray);

        var e = Assert.Throws<ArgumentException>(() => ImageInput.FromFile(path).ToModelInput(Small));

        Assert.Contains(path, e.Message);
        Assert.Contains("array has shape [1,8,6]", e.Message);
    }

    [Fact]
    public void Should_report_missing_and_corrupt_files_when_used()
    {
        using var dir = new TempDirectory();
        var missing = dir.File("missing.jpg");
        var corrupt = dir.File("corrupt.png");
        File.WriteAllText(corrupt, "nope");

        var input = ImageInput.FromFile(missing); // constructing reads nothing

        Assert.Contains(missing, Assert.Throws<FileNotFoundException>(() => input.ToModelInput(Small)).Message);
        Assert.Contains(corrupt, Assert.Throws<ImageDecodeException>(() => ImageInput.FromFile(corrupt).ToModelInput(Small)).Message);
        Assert.Contains("upload.bin", Assert.Throws<ImageDecodeException>(() => ImageInput.FromBytes([1, 2, 3], "upload.bin").ToModelInput(Small)).Message);
    }

    [Fact]
    public void Should_display_images_resized_and_cropped_like_the_model_input()
    {
        var image = ImagingFixtures.Load("preprocess", "input.png");

        var display = ImageInput.FromImage(image).ToDisplayImage(Small);

        Assert.Equal(new Preprocessor(Small).ResizeAndCrop(image).ToArray(), display.ToArray());
    }

    [Fact]
    public void Should_display_tensor_inputs_denormalized()
    {
        // Given an image at the input size, preprocessed without resampling
        var config = Small with { CropPct = 1f };
        var image = RgbImage.Create(6, 8, (x, y) => new Rgb((byte)(x * 40), (byte)(y * 30), 200));
        using var x = new Preprocessor(config).Apply(image);

        var display = ImageInput.FromTensor(x).ToDisplayImage(config);

        Assert.Equal(image.ToArray(), display.ToArray());
    }
}
