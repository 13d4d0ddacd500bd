using System.Diagnostics;

namespace AutoTimm.Fuzz;

/// <summary>One finding of a campaign: the input, what was done to make it, and the outcome.</summary>
/// <param name="Input">The bytes that found the defect.</param>
/// <param name="Mutation">How the input was made from its seed.</param>
/// <param name="Seed">The seed file it was made from.</param>
/// <param name="Problem">What is wrong.</param>
/// <param name="Exception">The exception, when one was thrown.</param>
public sealed record FuzzFinding(byte[] Input, string Mutation, string Seed, string Problem, Exception? Exception);

/// <summary>What a campaign did: inputs run, how they ended, and the distinct findings.</summary>
public sealed record CampaignReport(string Target, long Inputs, long Accepted, long Rejected, IReadOnlyList<FuzzFinding> Findings, TimeSpan Elapsed)
{
    /// <summary>Inputs per second.</summary>
    public double Rate => Inputs / Math.Max(Elapsed.TotalSeconds, 1e-9);
}

/// <summary>
/// In-process mutation fuzzing of one target from its seeds: deterministic for a given seed, so a short run is a
/// regression test and a long run a search. Findings are collected, one per distinct problem and throwing frame.
/// </summary>
public static class MutationCampaign
{
    /// <summary>An input slower than this is a finding: a parser must refuse bad input quickly.</summary>
    public static readonly TimeSpan SlowInput = TimeSpan.FromSeconds(5);

    /// <summary>Runs <paramref name="count"/> mutated inputs of <paramref name="seedFiles"/> through <paramref name="target"/>.</summary>
    /// <exception cref="ArgumentException">There are no seed files.</exception>
    public static CampaignReport Run(FuzzTarget target, IReadOnlyList<string> seedFiles, long count, int seed, Action<long>? progress = null)
    {
        if (seedFiles.Count == 0) throw new ArgumentException($"Target '{target.Name}' has no seed files.", nameof(seedFiles));
        var seeds = seedFiles.Select(File.ReadAllBytes).ToArray();
        var mutator = new Mutator(seed);
        var picker = new Random(seed ^ 0x5eed);
        var findings = new Dictionary<string, FuzzFinding>(StringComparer.Ordinal);
        long accepted = 0, rejected = 0;
        var total = Stopwatch.StartNew();
        var one = new Stopwatch();
        for (long i = 0; i < count; i++)
        {
            var which = picker.Next(seeds.Length);
            var (input, mutation) = mutator.Mutate(seeds[which], seeds[picker.Next(seeds.Length)]);
            one.Restart();
            var outcome = target.Run(input);
            one.Stop();
            switch (outcome.Verdict)
            {
                case FuzzVerdict.Accepted: accepted++; break;
                case FuzzVerdict.Rejected: rejected++; break;
                default:
                    Record(findings, new FuzzFinding(input, mutation, seedFiles[which], outcome.Problem!, outcome.Exception));
                    break;
            }
            if (one.Elapsed > SlowInput)
                Record(findings, new FuzzFinding(input, $"{mutation} (took {one.Elapsed.TotalSeconds:F1} s)", seedFiles[which], $"slower than {SlowInput.TotalSeconds} s", outcome.Exception));
            if (progress is not null && (i + 1) % 10_000 == 0) progress(i + 1);
        }
        return new CampaignReport(target.Name, count, accepted, rejected, findings.Values.ToList(), total.Elapsed);
    }

    /// <summary>Runs each file through <paramref name="target"/> and returns the findings.</summary>
    public static IReadOnlyList<FuzzFinding> Replay(FuzzTarget target, IEnumerable<string> files)
    {
        var findings = new List<FuzzFinding>();
        foreach (var file in files)
        {
            var input = File.ReadAllBytes(file);
            var outcome = target.Run(input);
            if (outcome.Verdict == FuzzVerdict.Finding) findings.Add(new FuzzFinding(input, "(as committed)", file, outcome.Problem!, outcome.Exception));
        }
        return findings;
    }

    private static void Record(Dictionary<string, FuzzFinding> findings, FuzzFinding finding)
    {
        var frame = finding.Exception is { } e ? new StackTrace(e).GetFrames().FirstOrDefault(f => f.GetMethod() is not null)?.GetMethod()?.Name : null;
        findings.TryAdd($"{finding.Problem}|{finding.Exception?.GetType().FullName}|{frame}", finding);
    }
}
