using System.CommandLine;
using AutoTimm.Interpretation.Batch;

namespace AutoTimm.Cli.Commands;

/// <summary><c>autotimm merge-manifests</c>: joins the manifests of an explain-batch run's shards into one.</summary>
internal static class MergeManifestsCommand
{
    public static Command Create()
    {
        var manifests = new Argument<string[]>("manifests") { Description = "Shard manifests, or one folder holding manifest.shard-*.jsonl files", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string?>("--output") { Description = "Merged manifest (default: manifest.jsonl beside the first input)" };
        var command = new Command("merge-manifests", "Join explain-batch shard manifests into one (sorted by path; a path in two shards is an error); prints counts per status.");
        command.Arguments.Add(manifests);
        command.Options.Add(output);
        command.SetJsonAction(parse =>
        {
            var given = parse.GetValue(manifests)!;
            var files = given.Length == 1 && Directory.Exists(given[0])
                ? Directory.GetFiles(given[0], "manifest.shard-*.jsonl").Order(StringComparer.Ordinal).ToArray()
                : given;
            if (files.Length == 0) throw new ArgumentException($"{given[0]} holds no manifest.shard-*.jsonl files");
            var target = parse.GetValue(output) ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(files[0]))!, BatchManifest.FileName);
            if (files.Any(f => Path.GetFullPath(f) == Path.GetFullPath(target)))
                throw new ArgumentException($"--output {target} is one of the inputs; give another path");
            var entries = BatchManifest.Merge(files, target);
            return new
            {
                manifest = target,
                sources = files,
                entries = entries.Count,
                statuses = entries.GroupBy(e => e.Status).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count()),
            };
        });
        return command;
    }
}
