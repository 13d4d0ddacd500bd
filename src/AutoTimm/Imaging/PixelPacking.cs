using System.Runtime.Intrinsics;

namespace AutoTimm.Imaging;

/// <summary>
/// Conversions between packed RGB (3 bytes a pixel, as <see cref="RgbImage"/> holds them) and RGBA (4 bytes a pixel,
/// as Skia decodes and encodes), four pixels per byte shuffle where the hardware has one.
/// </summary>
internal static class PixelPacking
{
    // Bytes 0-11 of the result are the RGB of the four RGBA pixels; 12-15 are zero (indices past 15 give zero).
    private static readonly Vector128<byte> DropAlpha = Vector128.Create((byte)0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, 255, 255, 255, 255);

    // The four RGB pixels of bytes 0-11 spread to RGBA with a zero alpha byte, then OpaqueAlpha sets it.
    private static readonly Vector128<byte> AddAlpha = Vector128.Create((byte)0, 1, 2, 255, 3, 4, 5, 255, 6, 7, 8, 255, 9, 10, 11, 255);
    private static readonly Vector128<byte> OpaqueAlpha = Vector128.Create(0xFF000000u).AsByte();

    /// <summary>The RGB of each RGBA pixel: <paramref name="rgb"/> gets 3 bytes for every 4 of <paramref name="rgba"/>.</summary>
    public static void RgbaToRgb(ReadOnlySpan<byte> rgba, Span<byte> rgb)
    {
        var pixels = rgba.Length / 4;
        if (rgb.Length != pixels * 3) throw new ArgumentException($"{rgba.Length} RGBA bytes make {pixels * 3} RGB bytes, not {rgb.Length}.", nameof(rgb));
        var i = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            // Each step stores 16 bytes of which 12 are pixels; the next step overwrites the other 4.
            for (; (i * 3) + 16 <= rgb.Length; i += 4)
                Vector128.Shuffle(Vector128.Create(rgba.Slice(i * 4, 16)), DropAlpha).CopyTo(rgb.Slice(i * 3, 16));
        }
        for (; i < pixels; i++)
        {
            rgb[i * 3] = rgba[i * 4];
            rgb[(i * 3) + 1] = rgba[(i * 4) + 1];
            rgb[(i * 3) + 2] = rgba[(i * 4) + 2];
        }
    }

    /// <summary>Each RGB pixel as an opaque RGBA pixel (alpha 255).</summary>
    public static void RgbToOpaqueRgba(ReadOnlySpan<byte> rgb, Span<byte> rgba)
    {
        var pixels = rgb.Length / 3;
        if (rgba.Length != pixels * 4) throw new ArgumentException($"{rgb.Length} RGB bytes make {pixels * 4} RGBA bytes, not {rgba.Length}.", nameof(rgba));
        var i = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            // Each step loads 16 bytes of which the first 12 are the four pixels.
            for (; (i * 3) + 16 <= rgb.Length; i += 4)
                (Vector128.Shuffle(Vector128.Create(rgb.Slice(i * 3, 16)), AddAlpha) | OpaqueAlpha).CopyTo(rgba.Slice(i * 4, 16));
        }
        for (; i < pixels; i++)
        {
            rgba[i * 4] = rgb[i * 3];
            rgba[(i * 4) + 1] = rgb[(i * 3) + 1];
            rgba[(i * 4) + 2] = rgb[(i * 3) + 2];
            rgba[(i * 4) + 3] = 255;
        }
    }
}
