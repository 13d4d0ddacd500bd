using System.Globalization;
using System.Text.Json;

namespace AutoTimm.Models.Onnx;

/// <summary>
/// Reads <see cref="OnnxModelOptions"/> from a JSON file kept beside the model (<c>model.onnx.json</c> is found on
/// its own). Every key is optional; an unknown key, a wrong type or a bad value fails with the file, the key and the
/// problem:
/// <code>
/// { "inputSize": [224, 224], "layout": "NCHW", "channelOrder": "BGR", "range": [0, 255],
///   "mean": [103.9, 116.8, 123.7], "std": [1, 1, 1], "classNames": "labels.txt" or ["cat", "dog"],
///   "output": "logits", "preprocessGraph": "preprocess.onnx", "task": "SemanticSegmentor", "interpolation": "bilinear",
///   "crop": 1.0 }
/// </code>
/// Paths are relative to the JSON file.
/// </summary>
public static class OnnxSidecar
{
    /// <summary>The sidecar a model file has on its own: <c>model.onnx.json</c> beside it, or null.</summary>
    public static string? FindFor(string modelPath)
    {
        var candidate = modelPath + ".json";
        return File.Exists(candidate) ? candidate : null;
    }

    /// <summary>Reads a sidecar over <paramref name="defaults"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not valid JSON, or a key is unknown, mistyped or out of range.</exception>
    public static OnnxModelOptions Read(string path, OnnxModelOptions? defaults = null)
    {
        var text = System.Text.Encoding.UTF8.GetString(InputFile.ReadAllBytes(path, "ONNX sidecar"));
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON ({e.Message})", e);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{path}: the top level must be an object");
            var options = defaults ?? new OnnxModelOptions();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                InvalidDataException Bad(string problem) => new($"{path}: \"{property.Name}\" {problem}");
                var value = property.Value;
                options = property.Name switch
                {
                    "inputSize" => Numbers(value, 1, 2, Bad) is var size && size.All(v => v == Math.Floor(v))
                        ? options with { Height = (int)size[0], Width = (int)size[^1] }
                        : throw Bad("must hold whole pixels"),
                    "layout" => options with { Layout = Enum<OnnxLayout>(value, Bad) },
                    "channelOrder" => options with { ChannelOrder = Enum<OnnxChannelOrder>(value, Bad) },
                    "range" => options with { Range = Floats(value, 2, Bad) },
                    "mean" => options with { Mean = Floats(value, 3, Bad) },
                    "std" => options with { Std = Floats(value, 3, Bad) },
                    "classNames" => options with { ClassNames = ClassNames(value, folder, Bad) },
                    "output" => options with { Output = String(value, Bad) },
                    "preprocessGraph" => options with { PreprocessGraph = Path.Combine(folder, String(value, Bad)) },
                    "task" => options with { Task = Enum<ModelTask>(value, Bad) },
                    "interpolation" => options with { Interpolation = Enum<Imaging.ResizeInterpolation>(value, Bad) },
                    "crop" => options with { CropPct = Floats(value, 1, Bad)[0] },
                    _ => throw Bad("is not a sidecar key (inputSize, layout, channelOrder, range, mean, std, classNames, output, preprocessGraph, task, interpolation, crop)"),
                };
            }
            try
            {
                options.Validate(path);
            }
            catch (ArgumentException e)
            {
                throw new InvalidDataException(e.Message, e);
            }
            return options;
        }
    }

    private static string String(JsonElement value, Func<string, InvalidDataException> bad) =>
        value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } s ? s : throw bad("must be a non-empty string");

    private static T Enum<T>(JsonElement value, Func<string, InvalidDataException> bad) where T : struct, System.Enum =>
        System.Enum.TryParse<T>(String(value, bad), ignoreCase: true, out var parsed) && System.Enum.IsDefined(parsed)
            ? parsed
            : throw bad($"must be one of {string.Join(", ", System.Enum.GetNames<T>())}");

    private static double[] Numbers(JsonElement value, int min, int max, Func<string, InvalidDataException> bad)
    {
        var items = value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().ToArray() : [value];
        if (items.Length < min || items.Length > max || items.Any(i => i.ValueKind != JsonValueKind.Number))
            throw bad($"must be {(min == max ? $"{min}" : $"{min} to {max}")} number{(max > 1 ? "s" : "")}");
        return items.Select(i => i.GetDouble()).ToArray();
    }

    private static float[] Floats(JsonElement value, int count, Func<string, InvalidDataException> bad) =>
        Numbers(value, count, count, bad).Select(v => (float)v).ToArray();

    private static IReadOnlyList<string> ClassNames(JsonElement value, string folder, Func<string, InvalidDataException> bad)
    {
        if (value.ValueKind == JsonValueKind.Array)
            return value.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : throw bad("must hold strings")).ToList();
        var file = Path.Combine(folder, String(value, bad));
        if (!File.Exists(file)) throw bad($"names {file}, which does not exist");
        return File.ReadAllLines(file).Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
    }
}
