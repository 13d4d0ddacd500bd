namespace AutoTimm.Models.Checkpoints;

/// <summary>A Python tuple (kept apart from lists, which are <see cref="List{T}"/> of object).</summary>
internal sealed class PickleTuple(object?[] items)
{
    public static PickleTuple Empty { get; } = new([]);

    public object?[] Items { get; } = items;

    public int Count => Items.Length;

    public object? this[int index] => Items[index];
}
