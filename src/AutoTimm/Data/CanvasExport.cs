using System.Text.Json;
using AutoTimm.Imaging;

namespace AutoTimm.Data;

/// <summary>One exported canvas: its image and mask files and its ground truth.</summary>
/// <param name="Index">Canvas index in the generator.</param>
/// <param name="Image">PNG of the canvas.</param>
/// <param name="Mask">PNG of the item mask (white = item).</param>
/// <param name="Label">Class index.</param>
/// <param name="ClassName">Class name.</param>
/// <param name="Box">Tight box around the mask: x0, y0, x1, y1 (x1, y1 exclusive).</param>
/// <param name="SourceIndex">Fashion-MNIST item drawn.</param>
public sealed record ExportedCanvas(long Index, string Image, string Mask, int Label, string ClassName, float[] Box, int SourceIndex);

/// <summary>
/// Writes cluttered canvases as PNG files with their item masks and a <c>canvases.json</c> of labels and boxes:
/// sample inputs whose localization ground truth is exact.
/// </summary>
public static class CanvasExport
{
    /// <summary>Writes canvases <paramref name="start"/> .. start+count-1 of a generator into <paramref name="outputDir"/>.</summary>
    public static IReadOnlyList<ExportedCanvas> Write(ClutteredCanvasGenerator generator, long start, int count, string outputDir)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        Directory.CreateDirectory(outputDir);
        var exported = new List<ExportedCanvas>(count);
        for (long index = start; index < start + count; index++)
        {
            var sample = generator.Generate(index);
            var name = $"canvas_{generator.Source.Name}_{index:D5}";
            var imagePath = Path.Combine(outputDir, $"{name}.png");
            var maskPath = Path.Combine(outputDir, $"{name}_mask.png");
            ImageIO.SavePng(ToImage(sample.Image, sample.Height, sample.Width), imagePath);
            ImageIO.SavePng(RgbImage.Create(sample.Width, sample.Height, (x, y) => sample.Mask[y * sample.Width + x] ? new Rgb(255, 255, 255) : new Rgb(0, 0, 0)), maskPath);
            exported.Add(new ExportedCanvas(index, Path.GetFileName(imagePath), Path.GetFileName(maskPath), sample.Label,
                FashionMnist.ClassNames[sample.Label], sample.Box.ToArray(), sample.SourceIndex));
        }
        var manifest = new
        {
            source = $"Fashion-MNIST {generator.Source.Name} split",
            seed = generator.Seed,
            size = generator.Options.Size,
            box_convention = "x0, y0, x1, y1 in pixels; x1 and y1 exclusive",
            canvases = exported,
        };
        AtomicFile.WriteAllText(Path.Combine(outputDir, "canvases.json"),
            JsonSerializer.Serialize(manifest, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower }));
        return exported;
    }

    /// <summary>Channel-major [3, height, width] pixels in [0,1] as an 8-bit image (rounded, clamped).</summary>
    internal static RgbImage ToImage(float[] image, int height, int width)
    {
        int plane = height * width;
        byte At(int c, int i) => (byte)Math.Clamp(MathF.Round(image[c * plane + i] * 255), 0, 255);
        return RgbImage.Create(width, height, (x, y) =>
        {
            int i = y * width + x;
            return new Rgb(At(0, i), At(1, i), At(2, i));
        });
    }
}
