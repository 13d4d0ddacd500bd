using AutoTimm.Tests.Fixtures;
using System.Buffers.Binary;
using AutoTimm.Imaging;

namespace AutoTimm.Tests.Imaging;

public sealed class ImageIOTests
{
    private static Rgb Gray(byte v) => new(v, v, v);

    private static Rgb[] Row(RgbImage image, int y) => Enumerable.Range(0, image.Width).Select(x => image.GetPixel(x, y)).ToArray();

    [Fact]
    public void Should_replicate_grayscale_into_three_channels()
    {
        var image = ImagingFixtures.Load("decode", "gray.png");

        Assert.Equal((4, 2), (image.Width, image.Height));
        Assert.Equal([Gray(0), Gray(64), Gray(128), Gray(255)], Row(image, 0));
        Assert.Equal([Gray(1), Gray(2), Gray(254), Gray(200)], Row(image, 1));
    }

    [Fact]
    public void Should_drop_alpha_and_keep_colour_of_transparent_pixels_like_PIL_convert_RGB()
    {
        // Given gray+alpha and RGBA PNGs whose transparent pixels still carry colour
        var la = ImagingFixtures.Load("decode", "gray_alpha.png");
        var rgba = ImagingFixtures.Load("decode", "rgba.png");

        // Then the colour is kept as stored (unpremultiplied), alpha is ignored
        Assert.Equal([Gray(10), Gray(100), Gray(200), Gray(255)], Row(la, 0));
        Assert.Equal([new Rgb(255, 0, 0), new Rgb(0, 255, 0), new Rgb(0, 0, 255)], Row(rgba, 0));
        Assert.Equal([new Rgb(12, 34, 56), new Rgb(200, 100, 50), new Rgb(255, 255, 255)], Row(rgba, 1));
    }

    [Fact]
    public void Should_expand_a_palette_image()
    {
        var image = ImagingFixtures.Load("decode", "palette.png");

        Assert.Equal([new Rgb(255, 0, 0), new Rgb(0, 255, 0), new Rgb(0, 0, 255)], Row(image, 0));
        Assert.Equal([new Rgb(17, 34, 51), new Rgb(0, 0, 255), new Rgb(0, 255, 0)], Row(image, 1));
    }

    [Fact]
    public void Should_reduce_16_bit_samples_to_8_bits()
    {
        // Given 16-bit samples v, the 8-bit value is the high byte v>>8 (PIL's choice) or v/257 rounded
        var gray = ImagingFixtures.Load("decode", "gray16.png");
        var rgb = ImagingFixtures.Load("decode", "rgb16.png");

        int[] g16 = [0, 257 * 64, 65535, (257 * 200) + 100];
        for (var x = 0; x < 4; x++)
        {
            var p = gray.GetPixel(x, 0);
            Assert.Equal(p.R, p.G);
            Assert.Equal(p.R, p.B);
            Assert.True(p.R == g16[x] >> 8 || p.R == (int)Math.Round(g16[x] / 257.0), $"{g16[x]} -> {p.R}");
        }
        Assert.Equal([new Rgb(255, 0, 128), new Rgb(10, 20, 30)], Row(rgb, 0));
    }

    [Theory]
    [InlineData("small.bmp")]
    [InlineData("small.webp")]
    public void Should_decode_lossless_BMP_and_WebP_to_the_source_pixels(string file)
    {
        var expected = ImagingFixtures.Load("decode", "small.png");
        var actual = ImagingFixtures.Load("decode", file);

        Assert.Equal(expected.ToArray(), actual.ToArray());
    }

    [Fact]
    public void Should_decode_a_JPEG_like_PIL()
    {
        var expected = ImagingFixtures.Load("decode", "photo.expected.png");
        var actual = ImagingFixtures.Load("decode", "photo.jpg");

        // Both use libjpeg-turbo's default (islow DCT, fancy upsampling); measured difference: 0
        Assert.True(ImagingFixtures.MaxAbsDiff(expected, actual) <= 1, $"max abs diff {ImagingFixtures.MaxAbsDiff(expected, actual)}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public void Should_apply_EXIF_orientation_like_PIL_exif_transpose(int orientation)
    {
        // Given a 12x8 JPEG (red/green/blue/white quadrants, yellow top-left marker) tagged with the orientation,
        // and PIL's decode + ImageOps.exif_transpose of it
        var expected = ImagingFixtures.Load("orientation", $"orient{orientation}.expected.png");

        var actual = ImagingFixtures.Load("orientation", $"orient{orientation}.jpg");

        var swapped = orientation >= 5;
        Assert.Equal(swapped ? (8, 12) : (12, 8), (actual.Width, actual.Height));
        Assert.True(ImagingFixtures.MaxAbsDiff(expected, actual) <= 1, $"max abs diff {ImagingFixtures.MaxAbsDiff(expected, actual)}");
    }

    [Fact]
    public void Should_turn_orientation_6_a_quarter_turn_clockwise()
    {
        // Orientation 6 = stored rotated 90 degrees counter-clockwise: upright, the stored bottom-left (blue) is top-left
        var image = ImagingFixtures.Load("orientation", "orient6.jpg");

        var topLeft = image.GetPixel(1, 1);
        var topRight = image.GetPixel(image.Width - 1, 0);
        Assert.True(topLeft.B > 200 && topLeft.R < 60 && topLeft.G < 60, $"top-left {topLeft}");
        Assert.True(topRight.R > 200 && topRight.G > 200 && topRight.B < 60, $"top-right {topRight} (the yellow marker)");
    }

    [Fact]
    public void Should_load_from_bytes_and_from_a_stream_at_its_position()
    {
        var path = ImagingFixtures.PathOf("decode", "small.png");
        var expected = ImageIO.Load(path).ToArray();
        var bytes = File.ReadAllBytes(path);

        using var stream = new MemoryStream([1, 2, 3, .. bytes]);
        stream.Position = 3;

        Assert.Equal(expected, ImageIO.Load(bytes).ToArray());
        Assert.Equal(expected, ImageIO.Load(stream, "small").ToArray());
    }

    [Fact]
    public void Should_name_the_file_when_it_is_missing_or_a_directory()
    {
        using var dir = new TempDirectory();
        var missing = dir.File("nope.png");

        var e1 = Assert.Throws<FileNotFoundException>(() => ImageIO.Load(missing));
        var e2 = Assert.Throws<FileNotFoundException>(() => ImageIO.Load(dir.Path));

        Assert.Contains(missing, e1.Message);
        Assert.Contains(dir.Path, e2.Message);
        Assert.Contains("directory", e2.Message);
    }

    public static TheoryData<string, string> CorruptFiles => new()
    {
        { "empty", "empty" },
        { "text", "not a recognised image" },
        { "png-truncated", "truncated" },
        { "jpeg-truncated", "truncated" },
        { "png-garbage", "PNG header is incomplete" },
        { "gif", "GIF" },
        { "npy", "npy" },
        { "huge", "10,000,000,000 pixels, over the 89,478,485-pixel limit" },
    };

    [Theory]
    [MemberData(nameof(CorruptFiles))]
    public void Should_refuse_corrupt_or_unsupported_files_with_a_message_naming_file_and_problem(string kind, string problem)
    {
        // Given a bad file
        using var dir = new TempDirectory();
        var path = dir.File($"{kind}.img");
        File.WriteAllBytes(path, BadContent(kind));

        // When decoded
        var error = Assert.Throws<ImageDecodeException>(() => ImageIO.Load(path));

        // Then a managed exception names the file and the problem
        Assert.Contains(path, error.Message);
        Assert.Contains(problem, error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(path, error.SourceName);
    }

    [Fact]
    public void Should_encode_PNG_as_three_channel_RGB_that_decodes_to_the_same_pixels()
    {
        var image = RgbImage.Create(7, 5, (x, y) => new Rgb((byte)(x * 30), (byte)(y * 50), (byte)((x * y) + 3)));

        var png = ImageIO.EncodePng(image);

        // IHDR colour type (byte 25) 2 = truecolour without alpha, bit depth (byte 24) 8
        Assert.Equal([0x89, 0x50, 0x4E, 0x47], png[..4]);
        Assert.Equal(8, png[24]);
        Assert.Equal(2, png[25]);
        Assert.Equal(image.ToArray(), ImageIO.Load(png).ToArray());
    }

    [Fact]
    public void Should_save_PNG_atomically_leaving_only_the_target_file()
    {
        using var dir = new TempDirectory();
        var path = dir.File("out.png");
        File.WriteAllText(path, "old content");
        var image = RgbImage.Filled(3, 2, new Rgb(1, 2, 3));

        ImageIO.SavePng(image, path);

        Assert.Equal(["out.png"], dir.Entries());
        Assert.Equal(image.ToArray(), ImageIO.Load(path).ToArray());
    }

    [Fact]
    public void Should_write_nothing_when_saving_fails()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.File("taken"));
        var image = RgbImage.Filled(2, 2, new Rgb(9, 9, 9));

        Assert.Throws<DirectoryNotFoundException>(() => ImageIO.SavePng(image, dir.File(Path.Combine("missing", "a.png"))));
        Assert.Throws<IOException>(() => ImageIO.SavePng(image, dir.File("taken")));

        Assert.Equal(["taken"], dir.Entries());
        Assert.Empty(Directory.GetFileSystemEntries(dir.File("taken")));
    }

    private static byte[] BadContent(string kind)
    {
        var png = File.ReadAllBytes(ImagingFixtures.PathOf("resize", "input.png"));
        var jpeg = File.ReadAllBytes(ImagingFixtures.PathOf("decode", "photo.jpg"));
        return kind switch
        {
            "empty" => [],
            "text" => "<html>not an image</html>"u8.ToArray(),
            "png-truncated" => png[..(png.Length / 2)],
            "jpeg-truncated" => jpeg[..(jpeg.Length / 2)],
            "png-garbage" => [.. png[..8], .. Enumerable.Range(0, 200).Select(i => (byte)(i * 37))],
            "gif" => "GIF89a\x01\0\x01\0\0\0\0;"u8.ToArray(),
            "npy" => File.ReadAllBytes(ImagingFixtures.PathOf("npy", "f32.npy")),
            "huge" => PngHeaderOnly(100_000, 100_000),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
    }

    /// <summary>A PNG signature, an IHDR chunk announcing the given size and a token IDAT chunk: a valid header for a huge image.</summary>
    private static byte[] PngHeaderOnly(int width, int height)
    {
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8;
        ihdr[9] = 2;
        byte[] zlibOfZeros = [0x78, 0x9C, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01];
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, .. Chunk("IHDR", ihdr), .. Chunk("IDAT", zlibOfZeros)];
    }

    private static byte[] Chunk(string type, byte[] data)
    {
        byte[] typeAndData = [.. System.Text.Encoding.ASCII.GetBytes(type), .. data];
        var chunk = new byte[4 + typeAndData.Length + 4];
        BinaryPrimitives.WriteInt32BigEndian(chunk, data.Length);
        typeAndData.CopyTo(chunk, 4);
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(4 + typeAndData.Length), Crc32(typeAndData));
        return chunk;
    }

    private static uint Crc32(byte[] data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }

    [Fact]
    public void Should_refuse_a_pixel_limit_whose_bitmap_no_array_can_hold()
    {
        // width * height * 4 bytes must fit in one array: a larger limit would overflow the buffer size.
        Assert.Equal(ImageIO.MaxAddressablePixels, Array.MaxLength / 4);
        var before = ImageIO.MaxPixels;
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ImageIO.MaxPixels = ImageIO.MaxAddressablePixels + 1);
        Assert.Contains("must be 1 to", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageIO.MaxPixels = 0);
        Assert.Equal(before, ImageIO.MaxPixels);
    }
}
