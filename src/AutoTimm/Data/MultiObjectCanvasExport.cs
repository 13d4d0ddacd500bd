using System.Text.Json;
using AutoTimm.Imaging;

namespace AutoTimm.Data;

/// <summary>One exported multi-object canvas: its image and class-mask files and its objects.</summary>
/// <param name="Index">Canvas index in the generator.</param>
/// <param name="Image">PNG of the canvas.</param>
/// <param name="Mask">PNG of the class mask: gray level = class index + 1 (0 = background).</param>
/// <param name="Objects">The objects: class, name and box.</param>
public sealed record ExportedMultiObjectCanvas(long Index, string Image, string Mask, IReadOnlyList<ExportedObject> Objects);

/// <summary>One object of an exported canvas.</summary>
/// <param name="Label">Class index.</param>
/// <param name="ClassName">Class name.</param>
/// <param name="Box">Tight box around its visible pixels: x0, y0, x1, y1 (x1, y1 exclusive).</param>
public sealed record ExportedObject(int Label, string ClassName, float[] Box);

/// <summary>
/// Writes multi-object canvases as PNG files with class masks and a <c>canvases.json</c> of objects and boxes: sample
/// inputs for detectors and segmenters whose ground truth is exact.
/// </summary>
public static class MultiObjectCanvasExport
{
    /// <summary>Writes canvases <paramref name="start"/> .. start+count-1 of a generator into <paramref name="outputDir"/>.</summary>
    public static IReadOnlyList<ExportedMultiObjectCanvas> Write(MultiObjectCanvasGenerator generator, long start, int count, string outputDir)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        Directory.CreateDirectory(outputDir);
        var exported = new List<ExportedMultiObjectCanvas>(count);
        for (long index = start; index < start + count; index++)
        {
            var canvas = generator.Generate(index);
            var name = $"multi_{generator.Source.Name}_{index:D5}";
            var imagePath = Path.Combine(outputDir, $"{name}.png");
            var maskPath = Path.Combine(outputDir, $"{name}_mask.png");
            ImageIO.SavePng(ToImage(canvas), imagePath);
            ImageIO.SavePng(RgbImage.Create(canvas.Width, canvas.Height, (x, y) =>
            {
                var v = canvas.ClassMask[y * canvas.Width + x];
                return new Rgb(v, v, v);
            }), maskPath);
            exported.Add(new ExportedMultiObjectCanvas(index, Path.GetFileName(imagePath), Path.GetFileName(maskPath),
                canvas.Objects.Select(o => new ExportedObject(o.Label, FashionMnist.ClassNames[o.Label], o.Box.ToArray())).ToArray()));
        }
        var manifest = new
        {
            source = $"Fashion-MNIST {generator.Source.Name} split",
            seed = generator.Seed,
            size = generator.Options.Size,
            box_convention = "x0, y0, x1, y1 in pixels; x1 and y1 exclusive",
            mask_convention = "gray level = class index + 1; 0 = background",
            canvases = exported,
        };
        AtomicFile.WriteAllText(Path.Combine(outputDir, "canvases.json"),
            JsonSerializer.Serialize(manifest, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower }));
        return exported;
    }

    /// <summary>The canvas as an 8-bit image.</summary>
    public static RgbImage ToImage(MultiObjectCanvas canvas)
    {
        ArgumentNullException.ThrowIfNull(canvas);
        return CanvasExport.ToImage(canvas.Image, canvas.Height, canvas.Width);
    }
}
