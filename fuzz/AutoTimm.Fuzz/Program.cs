using System.Globalization;
using System.Text.Json;
using AutoTimm.Fuzz;
using SharpFuzz;

// Fuzzing driver for the parsers of untrusted files. See docs/fuzzing.md.
//   afl <target>                                   run under afl-fuzz (SharpFuzz persistent mode); a finding crashes
//   mutate <target|all> [--count N] [--seed S] [--findings DIR]
//                                                  in-process mutation of the committed corpus; JSON report on stdout
//   replay <target> <file|dir>...                  run files through a target; exit 1 on any finding
//   corpus <target>                                the target's folder under fuzz/corpus
return args switch
{
    ["corpus", var name] => PrintCorpus(FuzzTargets.Named(name)),
    ["afl", var name] => RunAfl(FuzzTargets.Named(name)),
    ["mutate", var name, .. var rest] => Mutate(name, rest),
    ["replay", var name, .. var paths] when paths.Length > 0 => Replay(FuzzTargets.Named(name), paths),
    _ => Usage(),
};

static int RunAfl(FuzzTarget target)
{
    Fuzzer.Run(stream =>
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        var outcome = target.Run(buffer.ToArray());
        if (outcome.Verdict == FuzzVerdict.Finding) throw new FuzzFindingException(target, outcome);
    });
    return 0;
}

static int Mutate(string name, string[] options)
{
    long count = 10_000;
    int seed = 1;
    string? findingsFolder = null;
    for (var i = 0; i + 1 < options.Length; i += 2)
    {
        switch (options[i])
        {
            case "--count": count = long.Parse(options[i + 1], CultureInfo.InvariantCulture); break;
            case "--seed": seed = int.Parse(options[i + 1], CultureInfo.InvariantCulture); break;
            case "--findings": findingsFolder = options[i + 1]; break;
            default: return Usage();
        }
    }
    var targets = name == "all" ? FuzzTargets.All : [FuzzTargets.Named(name)];
    var reports = new List<object>();
    var findingsTotal = 0;
    foreach (var target in targets)
    {
        var report = MutationCampaign.Run(target, FuzzCorpus.Seeds(target), count, seed,
            done => Console.Error.WriteLine($"{target.Name}: {done:N0} inputs"));
        findingsTotal += report.Findings.Count;
        if (findingsFolder is not null) SaveFindings(findingsFolder, target, report.Findings);
        reports.Add(new
        {
            target = report.Target,
            inputs = report.Inputs,
            accepted = report.Accepted,
            rejected = report.Rejected,
            inputs_per_second = Math.Round(report.Rate),
            seconds = Math.Round(report.Elapsed.TotalSeconds, 1),
            findings = report.Findings.Select(f => new { problem = f.Problem, exception = f.Exception?.GetType().FullName, message = f.Exception?.Message, seed = Path.GetFileName(f.Seed), mutation = f.Mutation }),
        });
    }
    Console.WriteLine(JsonSerializer.Serialize(new { seed, targets = reports }, new JsonSerializerOptions { WriteIndented = true }));
    return findingsTotal == 0 ? 0 : 1;
}

static void SaveFindings(string folder, FuzzTarget target, IReadOnlyList<FuzzFinding> findings)
{
    var dir = Path.Combine(folder, target.Name);
    Directory.CreateDirectory(dir);
    foreach (var finding in findings)
    {
        var hash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(finding.Input))[..16].ToLowerInvariant();
        File.WriteAllBytes(Path.Combine(dir, hash), finding.Input);
        File.WriteAllText(Path.Combine(dir, hash + ".txt"), $"{finding.Problem}\nseed: {finding.Seed}\nmutation: {finding.Mutation}\n{finding.Exception}\n");
    }
}

static int Replay(FuzzTarget target, string[] paths)
{
    var files = paths.SelectMany(p => Directory.Exists(p) ? Directory.GetFiles(p).Where(f => !f.EndsWith(".txt", StringComparison.Ordinal)) : [p]).ToList();
    var findings = MutationCampaign.Replay(target, files);
    foreach (var f in findings) Console.WriteLine($"{f.Seed}: {f.Problem}\n{f.Exception}");
    Console.Error.WriteLine($"{files.Count} files, {findings.Count} findings");
    return findings.Count == 0 ? 0 : 1;
}

static int PrintCorpus(FuzzTarget target)
{
    Console.WriteLine(target.CorpusName);
    return 0;
}

static int Usage()
{
    Console.Error.WriteLine("usage: AutoTimm.Fuzz afl <target> | mutate <target|all> [--count N] [--seed S] [--findings DIR] | replay <target> <file|dir>...");
    Console.Error.WriteLine($"targets: {string.Join(", ", FuzzTargets.All.Select(t => $"{t.Name} ({t.Description})"))}");
    return 2;
}
