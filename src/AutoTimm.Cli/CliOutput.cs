using System.Text.Json;
using System.Text.Json.Nodes;

namespace AutoTimm.Cli;

/// <summary>The CLI contract: exactly one JSON object on standard output; logs and progress on standard error.</summary>
internal static class CliOutput
{
    public static readonly JsonSerializerOptions Json = JsonConventions.Output;

    /// <summary>Where the JSON goes: standard output, or a writer a test supplies.</summary>
    public static TextWriter Out { get; set; } = Console.Out;

    /// <summary>Writes a result object and returns exit code 0.</summary>
    public static int Success(object result)
    {
        Out.WriteLine(JsonSerializer.Serialize(result, result.GetType(), Json));
        Out.Flush();
        return 0;
    }

    /// <summary>Writes <c>{"error": ...}</c> (plus optional details) and returns <paramref name="exitCode"/> (1: a handled runtime error).</summary>
    public static int Error(string message, IDictionary<string, object?>? details = null, int exitCode = 1)
    {
        var node = new JsonObject { ["error"] = message };
        if (details is not null)
            foreach (var (key, value) in details)
                node[key] = JsonSerializer.SerializeToNode(value, Json);
        Out.WriteLine(node.ToJsonString(Json));
        Out.Flush();
        return exitCode;
    }

    /// <summary>Writes a JSON error describing an exception: its message, and its type as <c>error_type</c>.</summary>
    public static int Error(Exception exception)
    {
        // Report the cause, not the wrapper a type initializer or a task put around it.
        while (exception is TypeInitializationException or System.Reflection.TargetInvocationException or AggregateException { InnerExceptions.Count: 1 }
               && exception.InnerException is not null)
            exception = exception.InnerException!;
        return Error(exception.Message, new Dictionary<string, object?> { ["error_type"] = exception.GetType().Name });
    }
}
