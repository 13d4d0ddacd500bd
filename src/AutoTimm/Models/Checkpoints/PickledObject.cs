namespace AutoTimm.Models.Checkpoints;

/// <summary>
/// Inert stand-in for an object of a class the restricted unpickler does not interpret (an <c>argparse.Namespace</c>
/// in Lightning hyper-parameters, a callback's state, a whole pickled module). It records what the pickle asked for;
/// nothing is constructed or called.
/// </summary>
internal sealed class PickledObject(PickleGlobal? type, object? arguments)
{
    /// <summary>The class or callable the pickle named, when it was a global.</summary>
    public PickleGlobal? Type { get; } = type;

    /// <summary>Arguments the pickle would have passed to it.</summary>
    public object? Arguments { get; } = arguments;

    /// <summary>State a BUILD opcode would have applied.</summary>
    public object? State { get; set; }

    public string TypeName => Type?.FullName ?? "an object of unknown type";

    public override string ToString() => $"<{TypeName}>";
}
