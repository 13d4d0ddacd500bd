using System.Text;

namespace AutoTimm.Imaging;

/// <summary>
/// Recognises an encoded image by its leading bytes, so that only the formats we support reach the native decoder
/// and everything else gets a message that says what the data looks like.
/// </summary>
internal readonly record struct ImageSignature(string Name, string? Problem)
{
    private const string Supported = "supported formats are PNG, JPEG, BMP and WebP";

    public static ImageSignature Detect(ReadOnlySpan<byte> data)
    {
        if (data.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])) return new("PNG", null);
        if (data.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF])) return new("JPEG", null);
        if (data.Length >= 12 && data.StartsWith("RIFF"u8) && data[8..12].SequenceEqual("WEBP"u8)) return new("WebP", null);
        if (data.Length >= 14 && data.StartsWith("BM"u8)) return new("BMP", null);

        string? other = null;
        if (data.StartsWith("GIF87a"u8) || data.StartsWith("GIF89a"u8)) other = "a GIF image";
        else if (data.StartsWith("II*\0"u8) || data.StartsWith("MM\0*"u8)) other = "a TIFF image";
        else if (data.Length >= 12 && data[4..8].SequenceEqual("ftyp"u8)) other = "an ISO media file (HEIF/AVIF or video)";
        else if (data.StartsWith((ReadOnlySpan<byte>)[0x00, 0x00, 0x01, 0x00])) other = "an ICO icon";
        else if (data.StartsWith((ReadOnlySpan<byte>)[0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'])) other = "a numpy .npy array, not an encoded image (pass it as a .npy file path or load it with Npy.Load)";
        else if (data.StartsWith("PK\x03\x04"u8)) other = "a zip archive";
        else if (data.StartsWith("BM"u8)) other = "a BMP file too short to hold a header";
        if (other is not null) return new("unknown", $"the data is {other}; {Supported}.");
        return new("unknown", $"the data is not a recognised image (starts with {Describe(data)}); {Supported}.");
    }

    private static string Describe(ReadOnlySpan<byte> data)
    {
        var head = data[..Math.Min(8, data.Length)];
        var hex = Convert.ToHexString(head);
        var spaced = new StringBuilder();
        for (var i = 0; i < hex.Length; i += 2)
        {
            if (i > 0) spaced.Append(' ');
            spaced.Append(hex, i, 2);
        }
        return $"bytes {spaced}";
    }
}
