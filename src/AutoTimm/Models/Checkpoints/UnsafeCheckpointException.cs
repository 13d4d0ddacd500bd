namespace AutoTimm.Models.Checkpoints;

/// <summary>
/// A pickle-based checkpoint references a Python global that the restricted unpickler refuses: a callable that
/// could run code (such as <c>os.system</c> or <c>builtins.eval</c>), or a foreign object where tensors are expected.
/// Nothing in the file was executed.
/// </summary>
public sealed class UnsafeCheckpointException : CheckpointException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="global">The refused global as <c>module.name</c>.</param>
    /// <param name="message">Why it was refused and where it appeared.</param>
    public UnsafeCheckpointException(string global, string message) : base(message)
    {
        ArgumentNullException.ThrowIfNull(global);
        Global = global;
    }

    /// <summary>The refused global as <c>module.name</c>, e.g. <c>os.system</c>.</summary>
    public string Global { get; }
}
