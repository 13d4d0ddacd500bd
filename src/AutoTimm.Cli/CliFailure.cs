namespace AutoTimm.Cli;

/// <summary>A verb ran but produced none of what was asked: exit 1 with the message and the structured reasons.</summary>
internal sealed class CliFailure(string message, IDictionary<string, object?> details) : Exception(message)
{
    /// <summary>Members added to the JSON error object (for example each method's error).</summary>
    public IDictionary<string, object?> Details { get; } = details;

    /// <summary>A failure with nothing to add but its message.</summary>
    public CliFailure(string message) : this(message, new Dictionary<string, object?>())
    {
    }
}
