using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace AutoTimm;

/// <summary>
/// The project's JSON conventions, in one place: what the CLI prints and the reports and manifests it writes use
/// snake_case names, indentation, NaN and infinities as literals, readable (unescaped) text, and no null members.
/// </summary>
public static class JsonConventions
{
    /// <summary>Options for writing results.</summary>
    public static JsonSerializerOptions Output { get; } = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary><see cref="Output"/> on one line: JSON Lines records such as manifest entries.</summary>
    public static JsonSerializerOptions Line { get; } = new(Output) { WriteIndented = false };

    /// <summary>Options for reading what <see cref="Output"/> wrote (snake_case names).</summary>
    public static JsonSerializerOptions Input { get; } = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };
}
