namespace AutoTimm.Models.Checkpoints;

/// <summary>
/// The plain values of a Lightning checkpoint's <c>hyper_parameters</c> entry (what <c>save_hyperparameters()</c>
/// stored: the model's constructor arguments, such as <c>backbone</c> and <c>num_classes</c>).
/// </summary>
/// <remarks>
/// Only strings, integers, floats and booleans are kept; a nested dict contributes its plain values under dotted keys
/// (<c>backbone.model_name</c>). Pickled objects (an <c>argparse.Namespace</c>, a config class) stay inert and are left
/// out: nothing is ever constructed from them.
/// </remarks>
internal static class LightningHyperParameters
{
    /// <summary>The top-level entry Lightning writes them to.</summary>
    public const string EntryName = "hyper_parameters";

    private const int MaxDepth = 4;

    /// <summary>The plain hyper-parameters of a checkpoint's root object; empty when it has none.</summary>
    public static IReadOnlyDictionary<string, object> Extract(object? root)
    {
        var values = new Dictionary<string, object>(StringComparer.Ordinal);
        if (root is PickleDict dict && dict.TryGet(EntryName, out var entry) && entry is PickleDict parameters)
            Collect(parameters, "", values, 0);
        return values;
    }

    private static void Collect(PickleDict dict, string prefix, Dictionary<string, object> values, int depth)
    {
        foreach (var (key, value) in dict.Items)
        {
            if (key is not string name) continue;
            var full = prefix + name;
            switch (value)
            {
                case string or long or double or bool:
                    values[full] = value;
                    break;
                case PickleDict inner when depth < MaxDepth:
                    Collect(inner, full + ".", values, depth + 1);
                    break;
            }
        }
    }

    /// <summary>The first of <paramref name="keys"/> present as a non-empty string.</summary>
    public static string? String(IReadOnlyDictionary<string, object> values, params string[] keys) =>
        keys.Select(k => values.TryGetValue(k, out var v) ? v as string : null).FirstOrDefault(s => !string.IsNullOrWhiteSpace(s));

    /// <summary>The first of <paramref name="keys"/> present as a positive integer that fits an <see cref="int"/>.</summary>
    public static int? Int(IReadOnlyDictionary<string, object> values, params string[] keys)
    {
        foreach (var key in keys)
        {
            if (values.TryGetValue(key, out var v) && v is long n && n is >= 1 and <= int.MaxValue)
                return (int)n;
        }
        return null;
    }
}
