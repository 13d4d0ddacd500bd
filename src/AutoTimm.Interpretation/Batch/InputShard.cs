using System.Globalization;
using System.IO.Hashing;
using System.Text;

namespace AutoTimm.Interpretation.Batch;

/// <summary>
/// One part of an input set split across processes or cluster tasks: an input belongs to shard
/// <c>hash(relative path) mod Count</c>, where the hash is a stable 64-bit XxHash of the path's UTF-8 bytes with
/// '/' separators. So the split depends only on the paths, not on the listing order, the machine or the process, and
/// the shards of a set are disjoint and cover it.
/// </summary>
/// <param name="Index">This shard, 0-based.</param>
/// <param name="Count">Number of shards.</param>
public sealed record InputShard(int Index, int Count)
{
    /// <summary>Kubernetes Indexed Jobs set this to the pod's completion index.</summary>
    public const string KubernetesIndexVariable = "JOB_COMPLETION_INDEX";

    /// <summary>Slurm job arrays set this to the task's array index.</summary>
    public const string SlurmIndexVariable = "SLURM_ARRAY_TASK_ID";

    /// <summary>Slurm sets this to the number of tasks in the array.</summary>
    public const string SlurmCountVariable = "SLURM_ARRAY_TASK_COUNT";

    /// <summary>Slurm sets this to the array's lowest index (arrays may start at 1).</summary>
    public const string SlurmMinVariable = "SLURM_ARRAY_TASK_MIN";

    /// <summary>The whole input, unsplit.</summary>
    public static InputShard All { get; } = new(0, 1);

    /// <summary>Whether this is the whole input.</summary>
    public bool IsAll => Count == 1;

    /// <summary>Whether the input at <paramref name="relativePath"/> belongs to this shard.</summary>
    public bool Contains(string relativePath)
    {
        ArgumentNullException.ThrowIfNull(relativePath);
        return IsAll || (int)(XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(relativePath.Replace('\\', '/'))) % (ulong)Count) == Index;
    }

    /// <summary>A label for file names and logs: <c>shard-2-of-3</c> (1-based, as people count).</summary>
    public string Label => string.Create(CultureInfo.InvariantCulture, $"shard-{Index + 1}-of-{Count}");

    /// <summary>Parses <c>i/n</c> (0-based index i, 0 &lt;= i &lt; n).</summary>
    /// <exception cref="FormatException">Not two integers with 0 &lt;= i &lt; n; the message says which.</exception>
    public static InputShard Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split('/', StringSplitOptions.TrimEntries);
        if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var count))
            throw new FormatException($"shard '{text}' is not i/n (two non-negative integers, e.g. 0/4 for the first of four)");
        return Create(index, count, $"shard '{text}'");
    }

    /// <summary>
    /// The shard a cluster task runs: the index from <see cref="KubernetesIndexVariable"/>, or from
    /// <see cref="SlurmIndexVariable"/> minus <see cref="SlurmMinVariable"/>; the count from <paramref name="count"/>,
    /// or from <see cref="SlurmCountVariable"/>. Null when neither scheduler's index is set.
    /// </summary>
    /// <exception cref="FormatException">A variable is not an integer, the count is unknown, or the index is out of range.</exception>
    public static InputShard? FromEnvironment(int? count, Func<string, string?>? variables = null)
    {
        variables ??= Environment.GetEnvironmentVariable;
        int? Read(string name) => variables(name) is { Length: > 0 } value
            ? int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed)
                ? parsed
                : throw new FormatException($"environment variable {name}='{value}' is not an integer")
            : null;
        string source;
        int index;
        if (Read(KubernetesIndexVariable) is { } kubernetes)
        {
            (source, index) = (KubernetesIndexVariable, kubernetes);
        }
        else if (Read(SlurmIndexVariable) is { } slurm)
        {
            (source, index) = (SlurmIndexVariable, slurm - (Read(SlurmMinVariable) ?? 0));
            count ??= Read(SlurmCountVariable);
        }
        else
        {
            return null;
        }
        if (count is null)
            throw new FormatException($"{source} is set but the number of shards is not: give --shards N (the job's completions or array size)");
        return Create(index, count.Value, $"{source} with {count} shards");
    }

    private static InputShard Create(int index, int count, string what)
    {
        if (count < 1) throw new FormatException($"{what}: the number of shards must be at least 1, got {count}");
        if (index < 0 || index >= count) throw new FormatException($"{what}: index {index} is outside 0..{count - 1}");
        return new InputShard(index, count);
    }
}
