namespace AutoTimm.Interpretation.Batch;

/// <summary>What an <see cref="ExplanationCache"/> has done so far.</summary>
/// <param name="Hits">Lookups answered from memory or disk.</param>
/// <param name="DiskHits">Of <paramref name="Hits"/>, those read from the disk store.</param>
/// <param name="Misses">Lookups that had to be computed.</param>
/// <param name="Entries">Results held in memory.</param>
/// <param name="Bytes">Approximate bytes those results take.</param>
/// <param name="Evictions">Results dropped from memory to stay within the byte bound.</param>
public sealed record CacheStatistics(long Hits, long DiskHits, long Misses, int Entries, long Bytes, long Evictions)
{
    /// <summary>Hits over lookups, or 0 before any lookup.</summary>
    public double HitRate => Hits + Misses == 0 ? 0 : (double)Hits / (Hits + Misses);
}
