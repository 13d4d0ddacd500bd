using System.Globalization;
using System.Text.Json;
using AutoTimm.Data;
using AutoTimm.Imaging;
using AutoTimm.Interpretation.Metrics;
using AutoTimm.Models;
using AutoTimm.Training;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Evaluation;

/// <summary>
/// Images with ground truth for a method comparison: the cluttered test canvases (exact item masks), a folder written
/// by <c>autotimm canvases</c> (<c>canvases.json</c> with mask PNGs), or an ImageFolder (labels from class folders, no
/// regions). Images are preprocessed once with the model's configuration.
/// </summary>
public static class EvaluationSamples
{
    /// <summary>The first <paramref name="count"/> cluttered test canvases (Fashion-MNIST test split, the seed every model is tested on) at the model's input size, with their item masks.</summary>
    /// <param name="config">The model's configuration (square input).</param>
    /// <param name="count">Canvases, at most the test split's 10,000 items.</param>
    /// <param name="dataDir">Folder holding the Fashion-MNIST IDX files, or null for the default.</param>
    public static IReadOnlyList<EvaluationSample> ClutteredTest(ModelConfig config, int count, string? dataDir = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var p = config.Preprocess;
        if (p.Height != p.Width) throw new ArgumentException($"the cluttered canvases are square; {config.Arch} takes {p.Height}x{p.Width}", nameof(config));
        var split = FashionMnist.Load(dataDir).Test;
        if (count > split.Count) throw new ArgumentException($"--n {count} asks for more canvases than the test split has items ({split.Count})");
        var generator = new ClutteredCanvasGenerator(split, ClassificationData.TestCanvasSeed, new ClutteredCanvasOptions { Size = p.Height });
        var preprocessor = new Preprocessor(p);
        return Enumerable.Range(0, count).Select(i =>
        {
            var canvas = generator.Generate(i);
            using var pixels = canvas.ToTensor();
            return new EvaluationSample(ImageInput.FromTensor(preprocessor.Normalize(pixels), $"canvas_test_{i:D5}"), canvas.Label,
                SaliencyRegion.FromMask(canvas.Mask, canvas.Height, canvas.Width), $"canvas_test_{i:D5}");
        }).ToList();
    }

    /// <summary>
    /// The first <paramref name="count"/> images of a folder: canvases written by <c>autotimm canvases</c> when it holds a
    /// <c>canvases.json</c> (masks must have the model's input size), else an ImageFolder with one subfolder per class.
    /// </summary>
    public static IReadOnlyList<EvaluationSample> FromFolder(ModelConfig config, string folder, int count)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var manifest = Path.Combine(folder, "canvases.json");
        return File.Exists(manifest) ? FromCanvases(config, folder, manifest, count) : FromImageFolder(config, folder, count);
    }

    private sealed record CanvasManifest(IReadOnlyList<ExportedCanvas>? Canvases);

    private static List<EvaluationSample> FromCanvases(ModelConfig config, string folder, string manifest, int count)
    {
        CanvasManifest? parsed;
        try
        {
            parsed = JsonSerializer.Deserialize<CanvasManifest>(File.ReadAllText(manifest), JsonConventions.Input);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{manifest}: not a canvases.json ({e.Message})", e);
        }
        var canvases = parsed?.Canvases ?? throw new InvalidDataException($"{manifest}: field 'canvases' is missing");
        if (count > canvases.Count) throw new ArgumentException($"--n {count} asks for more images than {manifest} lists ({canvases.Count})");
        var p = config.Preprocess;
        return canvases.Take(count).Select((c, i) =>
        {
            if (c.Image is null || c.Mask is null) throw new InvalidDataException($"{manifest}: canvases[{i}] lacks field '{(c.Image is null ? "image" : "mask")}'");
            if (c.Label < 0 || c.Label >= config.NumClasses)
                throw new InvalidDataException($"{manifest}: canvases[{i}].label {c.Label} is not a class of {config.Arch} (0..{config.NumClasses - 1})");
            var maskPath = Path.Combine(folder, c.Mask);
            var mask = ImageIO.Load(maskPath);
            if ((mask.Height, mask.Width) != (p.Height, p.Width))
                throw new InvalidDataException($"{maskPath}: the mask is {mask.Height}x{mask.Width}, the model input {p.Height}x{p.Width}; write canvases of the model's size (autotimm canvases --size {p.Height})");
            var inside = new bool[mask.Height * mask.Width];
            for (int y = 0; y < mask.Height; y++)
                for (int x = 0; x < mask.Width; x++)
                    inside[y * mask.Width + x] = mask.GetPixel(x, y).R >= 128;
            var name = Path.GetFileNameWithoutExtension(c.Image);
            return new EvaluationSample(ImageInput.FromFile(Path.Combine(folder, c.Image)), c.Label, SaliencyRegion.FromMask(inside, mask.Height, mask.Width), name);
        }).ToList();
    }

    private static List<EvaluationSample> FromImageFolder(ModelConfig config, string folder, int count)
    {
        var data = ClassificationData.OpenImageFolder(folder, config.Preprocess);
        if (count > data.Count) throw new ArgumentException($"--n {count} asks for more images than {folder} holds ({data.Count})");
        var preprocessor = new Preprocessor(config.Preprocess);
        return Enumerable.Range(0, count).Select(i =>
        {
            var image = data.Get(i);
            if (image.Label >= config.NumClasses)
                throw new InvalidDataException($"{folder}: class folder {image.Label} has no class in {config.Arch} ({config.NumClasses} classes)");
            using var pixels = tensor(image.Pixels, [3, image.Height, image.Width], device: CPU);
            var name = $"image_{i.ToString("D5", CultureInfo.InvariantCulture)}";
            return new EvaluationSample(ImageInput.FromTensor(preprocessor.Normalize(pixels), name), image.Label, null, name);
        }).ToList();
    }
}
