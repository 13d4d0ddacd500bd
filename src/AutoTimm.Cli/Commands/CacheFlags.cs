using System.CommandLine;
using AutoTimm.Interpretation.Batch;

namespace AutoTimm.Cli.Commands;

/// <summary>Options every verb that explains shares for its result cache: <c>--cache-dir</c>, <c>--cache-mb</c>.</summary>
internal sealed class CacheFlags
{
    public CacheFlags() => MemoryMb.Validators.Add(result => CliValidation.InRange(result, "--cache-mb", 0, 1 << 20));

    public Option<string?> Directory { get; } = new("--cache-dir")
    {
        Description = "Folder keeping explanations across runs: an identical request (same weights, image, method, options and target) is read back instead of computed",
    };

    public Option<int> MemoryMb { get; } = new("--cache-mb") { Description = "Memory bound of the cache in MiB (with --cache-dir)", DefaultValueFactory = _ => 256 };

    public void AddTo(Command command)
    {
        command.Options.Add(Directory);
        command.Options.Add(MemoryMb);
    }

    /// <summary>The cache the flags ask for, or null without <c>--cache-dir</c>.</summary>
    public ExplanationCache? Build(ParseResult parse) =>
        parse.GetValue(Directory) is { } directory ? new ExplanationCache((long)parse.GetValue(MemoryMb) << 20, directory) : null;

    /// <summary>What the cache did, for the JSON result.</summary>
    public static object? Report(ExplanationCache? cache) => cache is null
        ? null
        : new { directory = cache.Directory, hits = cache.Statistics.Hits, misses = cache.Statistics.Misses, disk_hits = cache.Statistics.DiskHits };
}
