namespace AutoTimm.Interpretation.Engine;

/// <summary>
/// Cuts work items (images, image x step rows) into consecutive chunks of at most <c>size</c>, each evaluated with
/// one forward (and backward) pass.
/// </summary>
internal static class Chunks
{
    public static IEnumerable<(int Start, int Count)> Of(int total, int size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(total);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        for (int start = 0; start < total; start += size)
            yield return (start, Math.Min(size, total - start));
    }
}
