namespace AutoTimm.Imaging;

/// <summary>One 8-bit RGB pixel.</summary>
/// <param name="R">Red intensity, 0-255.</param>
/// <param name="G">Green intensity, 0-255.</param>
/// <param name="B">Blue intensity, 0-255.</param>
public readonly record struct Rgb(byte R, byte G, byte B)
{
    /// <inheritdoc/>
    public override string ToString() => $"({R}, {G}, {B})";
}
