using System.Collections.Immutable;

namespace AutoTimm.Interpretation.Engine;

/// <summary>
/// The parameters of a call, as one typed options record per method (<c>CamOptions</c>,
/// <c>IntegratedGradientsOptions</c>, ...): each method reads its own record, or that record's defaults when the set
/// has none. Immutable: <see cref="With{T}"/> returns a new set.
/// </summary>
public sealed class ExplanationOptions
{
    private readonly ImmutableDictionary<Type, IMethodOptions> _records;

    private ExplanationOptions(ImmutableDictionary<Type, IMethodOptions> records) => _records = records;

    /// <summary>Every method at its defaults.</summary>
    public static ExplanationOptions Default { get; } = new(ImmutableDictionary<Type, IMethodOptions>.Empty);

    /// <summary>The record of type <typeparamref name="T"/>, or its defaults.</summary>
    public T Get<T>() where T : class, IMethodOptions, new() =>
        _records.TryGetValue(typeof(T), out var record) ? (T)record : new T();

    /// <summary>This set with <paramref name="options"/> in place of the record of its type; validated first.</summary>
    public ExplanationOptions With<T>(T options) where T : class, IMethodOptions
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return new ExplanationOptions(_records.SetItem(typeof(T), options));
    }

    /// <summary>Every record set explicitly, for logs and cache keys.</summary>
    public IEnumerable<IMethodOptions> Records => _records.Values;

    /// <summary>
    /// Every record set explicitly, as one text: type names in ordinal order, each with its JSON. Two sets with the
    /// same fingerprint make the same explainers.
    /// </summary>
    internal string Fingerprint => _fingerprint ??= string.Join(";", _records.OrderBy(kv => kv.Key.FullName, StringComparer.Ordinal)
        .Select(kv => $"{kv.Key.FullName}={System.Text.Json.JsonSerializer.Serialize(kv.Value, kv.Key, FingerprintJson)}"));

    private string? _fingerprint;

    private static readonly System.Text.Json.JsonSerializerOptions FingerprintJson = new()
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };
}

/// <summary>A method's typed options record.</summary>
public interface IMethodOptions
{
    /// <summary>Throws an <see cref="ArgumentException"/> naming the field, its value and the allowed range.</summary>
    void Validate();
}
