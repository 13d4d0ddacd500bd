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
    public T Get<T>() where T : class, IMethodOptions, new()
    {
        foreach (var reads in _reads ?? []) reads.Add(typeof(T));
        return _records.TryGetValue(typeof(T), out var record) ? (T)record : new T();
    }

    // Where record types read through this set are noted, when it was made by Tracking (a set tracked again, as a
    // SmoothGrad's factory passes its options on to its base method's, notes reads for both).
    private HashSet<Type>[]? _reads;

    /// <summary>This set, noting in <paramref name="reads"/> every record type a caller reads from it.</summary>
    internal ExplanationOptions Tracking(HashSet<Type> reads) => new(_records) { _reads = [.. _reads ?? [], reads] };

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
    /// The records of <paramref name="types"/> as one text: type names in ordinal order, each with its JSON, or
    /// <c>default</c> when not set. Two sets with the same fingerprint over the types a factory read make the same
    /// explainer.
    /// </summary>
    internal string Fingerprint(IEnumerable<Type> types) => string.Join(";", types.Distinct().OrderBy(t => t.FullName, StringComparer.Ordinal)
        .Select(t => $"{t.FullName}={(_records.TryGetValue(t, out var record) ? System.Text.Json.JsonSerializer.Serialize(record, t, FingerprintJson) : "default")}"));

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
