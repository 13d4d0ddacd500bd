using System.Globalization;
using System.Text;
using System.Text.Json;
using AutoTimm.Imaging;

namespace AutoTimm.Models.Checkpoints;

/// <summary>
/// Converts <see cref="ModelConfig"/> to and from the JSON stored in <c>__metadata__["autotimm"]</c>:
/// <c>{task, arch, num_classes, input_size: [3, H, W], mean, std, interpolation, crop_pct, class_names, format_version}</c>.
/// </summary>
public static class ModelConfigJson
{
    /// <summary>Serializes a config with snake_case keys in a fixed order.</summary>
    /// <param name="config">The config.</param>
    public static string ToJson(ModelConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var p = config.Preprocess;
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("task", config.Task.ToString());
            json.WriteString("arch", config.Arch);
            json.WriteNumber("num_classes", config.NumClasses);
            json.WriteStartArray("input_size");
            json.WriteNumberValue(3);
            json.WriteNumberValue(p.Height);
            json.WriteNumberValue(p.Width);
            json.WriteEndArray();
            WriteFloats(json, "mean", p.Mean);
            WriteFloats(json, "std", p.Std);
            json.WriteString("interpolation", p.Interpolation.ToString().ToLowerInvariant());
            json.WriteNumber("crop_pct", p.CropPct);
            if (config.ClassNames is { } names)
            {
                json.WriteStartArray("class_names");
                foreach (var name in names) json.WriteStringValue(name);
                json.WriteEndArray();
            }
            else
            {
                json.WriteNull("class_names");
            }
            json.WriteNumber("format_version", config.FormatVersion);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>
    /// Parses the metadata JSON. <c>arch</c> and <c>num_classes</c> are required; other keys default as in
    /// <see cref="ModelConfig"/>; unknown keys are ignored.
    /// </summary>
    /// <param name="json">The JSON text.</param>
    /// <exception cref="CheckpointFormatException">The JSON is invalid, a value has the wrong type or range, or the format version is newer than this library.</exception>
    public static ModelConfig FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw Error($"not valid JSON ({e.Message})", e);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw Error("not a JSON object");

            var version = Optional(root, "format_version") is { } v ? Integer(v, "format_version") : ModelConfig.CurrentFormatVersion;
            if (version < 1 || version > ModelConfig.CurrentFormatVersion)
                throw Error($"format_version {version} is not supported (this library reads 1 to {ModelConfig.CurrentFormatVersion})");

            var arch = Optional(root, "arch") is { ValueKind: JsonValueKind.String } a ? a.GetString()! : throw Error("'arch' is missing or not a string");
            if (arch.Length == 0) throw Error("'arch' is empty");
            var numClasses = Optional(root, "num_classes") is { } n ? Integer(n, "num_classes") : throw Error("'num_classes' is missing");
            if (numClasses < 1) throw Error($"'num_classes' is {numClasses}");

            var defaults = PreprocessConfig.ImageNet;
            var preprocess = defaults;
            if (Optional(root, "input_size") is { } size)
            {
                var dims = Floats(size, "input_size");
                if (dims.Length != 3 || dims[0] != 3 || dims[1] < 1 || dims[2] < 1 || dims.Any(d => d != Math.Floor(d)))
                    throw Error($"'input_size' must be [3, H, W] with positive integers, not {size.GetRawText()}");
                // One input image of this size is allocated before any check of the weights: bound it first.
                if (dims[1] * dims[2] > PreprocessConfig.MaxInputPixels)
                    throw Error(string.Create(CultureInfo.InvariantCulture,
                        $"'input_size' {dims[1]}x{dims[2]} is over the {PreprocessConfig.MaxInputPixels:N0}-pixel limit for a model input"));
                preprocess = preprocess with { Height = (int)dims[1], Width = (int)dims[2] };
            }
            if (Optional(root, "mean") is { } mean) preprocess = preprocess with { Mean = Channels(mean, "mean", positive: false) };
            if (Optional(root, "std") is { } std) preprocess = preprocess with { Std = Channels(std, "std", positive: true) };
            if (Optional(root, "interpolation") is { } interpolation) preprocess = preprocess with { Interpolation = Interpolation(interpolation) };
            if (Optional(root, "crop_pct") is { } crop)
            {
                var value = Floats(crop, "crop_pct", scalar: true)[0];
                if (!(value > 0 && value <= 1)) throw Error($"'crop_pct' must be in (0, 1], not {value.ToString(CultureInfo.InvariantCulture)}");
                preprocess = preprocess with { CropPct = value };
            }

            IReadOnlyList<string>? classNames = null;
            if (Optional(root, "class_names") is { } names)
            {
                if (names.ValueKind != JsonValueKind.Array || names.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
                    throw Error("'class_names' must be an array of strings or null");
                classNames = names.EnumerateArray().Select(e => e.GetString()!).ToArray();
                if (classNames.Count != numClasses) throw Error($"'class_names' has {classNames.Count} names for {numClasses} classes");
            }

            return new ModelConfig
            {
                Task = Task(root),
                Arch = arch,
                NumClasses = numClasses,
                Preprocess = preprocess,
                ClassNames = classNames,
                FormatVersion = version,
            };
        }
    }

    private static void WriteFloats(Utf8JsonWriter json, string key, float[] values)
    {
        json.WriteStartArray(key);
        foreach (var v in values) json.WriteNumberValue(v);
        json.WriteEndArray();
    }

    /// <summary>A property's value, or null when absent or JSON null.</summary>
    private static JsonElement? Optional(JsonElement root, string key) =>
        root.TryGetProperty(key, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    private static int Integer(JsonElement value, string key) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var i) ? i : throw Error($"'{key}' must be an integer, not {value.GetRawText()}");

    private static float[] Floats(JsonElement value, string key, bool scalar = false)
    {
        if (scalar)
            return value.ValueKind == JsonValueKind.Number ? [value.GetSingle()] : throw Error($"'{key}' must be a number, not {value.GetRawText()}");
        if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.Number))
            throw Error($"'{key}' must be an array of numbers, not {value.GetRawText()}");
        return value.EnumerateArray().Select(e => e.GetSingle()).ToArray();
    }

    private static float[] Channels(JsonElement value, string key, bool positive)
    {
        var values = Floats(value, key);
        if (values.Length != 3 || values.Any(v => !float.IsFinite(v) || (positive && v <= 0)))
            throw Error($"'{key}' must hold 3 finite{(positive ? " positive" : "")} numbers, not {value.GetRawText()}");
        return values;
    }

    private static ResizeInterpolation Interpolation(JsonElement value) =>
        value.ValueKind == JsonValueKind.String && Enum.TryParse<ResizeInterpolation>(value.GetString(), ignoreCase: true, out var result)
        && Enum.IsDefined(result) && !int.TryParse(value.GetString(), out _)
            ? result
            : throw Error($"'interpolation' must be one of bilinear, bicubic, nearest, not {value.GetRawText()}");

    private static ModelTask Task(JsonElement root)
    {
        if (Optional(root, "task") is not { } value) return ModelTask.ImageClassifier;
        var text = value.ValueKind == JsonValueKind.String ? value.GetString()!.Replace("_", "", StringComparison.Ordinal) : "";
        return Enum.TryParse<ModelTask>(text, ignoreCase: true, out var task) && Enum.IsDefined(task) && !int.TryParse(text, out _)
            ? task
            : throw Error($"'task' must be one of {string.Join(", ", Enum.GetNames<ModelTask>())}, not {value.GetRawText()}");
    }

    private static CheckpointFormatException Error(string problem, Exception? inner = null) =>
        new($"Invalid AutoTimm model metadata: {problem}.", inner);
}
