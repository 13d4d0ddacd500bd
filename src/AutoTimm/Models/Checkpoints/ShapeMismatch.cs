namespace AutoTimm.Models.Checkpoints;

/// <summary>A tensor present in both module and checkpoint whose shapes differ.</summary>
/// <param name="Name">The module's name of the tensor.</param>
/// <param name="Expected">Shape in the module.</param>
/// <param name="Found">Shape in the checkpoint.</param>
public sealed record ShapeMismatch(string Name, IReadOnlyList<long> Expected, IReadOnlyList<long> Found)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Name}: expected [{string.Join(", ", Expected)}], found [{string.Join(", ", Found)}]";
}
