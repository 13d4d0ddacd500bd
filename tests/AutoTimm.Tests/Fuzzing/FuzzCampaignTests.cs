using AutoTimm.Fuzz;

namespace AutoTimm.Tests.Fuzzing;

/// <summary>
/// The short, fixed-seed run of the parser fuzzers (docs/fuzzing.md): every target meets mutations of its committed
/// corpus, and every committed seed and crasher is replayed. Long campaigns run with fuzz/run-afl.sh.
/// </summary>
public sealed class FuzzCampaignTests
{
    private const int InputsPerTarget = 2_000;

    public static TheoryData<string> Targets => new(FuzzTargets.All.Select(t => t.Name));

    [Theory]
    [MemberData(nameof(Targets))]
    public void Should_accept_or_cleanly_refuse_every_mutation_of_the_corpus(string name)
    {
        var target = FuzzTargets.Named(name);

        var report = MutationCampaign.Run(target, FuzzCorpus.Seeds(target), InputsPerTarget, seed: 20261130);

        Assert.True(report.Findings.Count == 0, Describe(report.Findings));
        Assert.Equal(InputsPerTarget, report.Accepted + report.Rejected);
        // Both paths ran: mutations of data bytes still parse, mutations of structure are refused.
        Assert.InRange(report.Accepted, 1, InputsPerTarget - 1);
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void Should_handle_every_committed_seed_and_crasher(string name)
    {
        var target = FuzzTargets.Named(name);
        var files = FuzzCorpus.Seeds(target).Concat(FuzzCorpus.Crashers(target)).ToList();

        var findings = MutationCampaign.Replay(target, files);

        Assert.NotEmpty(FuzzCorpus.Seeds(target));
        Assert.True(findings.Count == 0, Describe(findings));
    }

    [Fact]
    public void Should_count_undocumented_exceptions_and_anonymous_refusals_as_findings()
    {
        var crashing = new FuzzTarget("crashing", "throws an undocumented exception", () => "input-name",
            (_, _) => throw new IndexOutOfRangeException("index 2 of 2"), typeof(InvalidDataException));
        var anonymous = new FuzzTarget("anonymous", "refuses without naming its input", () => "input-name",
            (_, _) => throw new InvalidDataException("bad header"), typeof(InvalidDataException));
        var good = new FuzzTarget("good", "refuses and names its input", () => "input-name",
            (_, source) => throw new InvalidDataException($"{source}: bad header"), typeof(InvalidDataException));

        Assert.Equal(FuzzVerdict.Finding, crashing.Run([1, 2]).Verdict);
        Assert.IsType<IndexOutOfRangeException>(crashing.Run([1, 2]).Exception);
        Assert.Equal(FuzzVerdict.Finding, anonymous.Run([1]).Verdict);
        Assert.Equal(FuzzVerdict.Rejected, good.Run([1]).Verdict);
    }

    [Fact]
    public void Should_make_the_same_inputs_from_the_same_seed()
    {
        byte[] seedBytes = [.. "{\"arch\":\"resnet18\",\"num_classes\":2}"u8];

        var a = new Mutator(7);
        var b = new Mutator(7);
        var c = new Mutator(8);
        var fromA = Enumerable.Range(0, 50).Select(_ => a.Mutate(seedBytes, seedBytes).Bytes).ToList();
        var fromB = Enumerable.Range(0, 50).Select(_ => b.Mutate(seedBytes, seedBytes).Bytes).ToList();
        var fromC = Enumerable.Range(0, 50).Select(_ => c.Mutate(seedBytes, seedBytes).Bytes).ToList();

        Assert.Equal(fromA, fromB);
        Assert.NotEqual(fromA, fromC);
        Assert.Contains(fromA, m => !m.SequenceEqual(seedBytes));
    }

    private static string Describe(IReadOnlyList<FuzzFinding> findings) =>
        string.Join("\n", findings.Select(f => $"{Path.GetFileName(f.Seed)} [{f.Mutation}]: {f.Problem}: {f.Exception}"));
}
