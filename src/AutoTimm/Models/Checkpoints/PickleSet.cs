namespace AutoTimm.Models.Checkpoints;

/// <summary>A Python set or frozenset, kept as its items in pickle order.</summary>
internal sealed class PickleSet
{
    public List<object?> Items { get; } = [];
}
