using PublicApiGenerator;

namespace AutoTimm.Interpretation.Tests.Api;

/// <summary>
/// The public surface of both libraries, compared with the approved snapshot beside this file, so that every change
/// to it is a visible diff in review. After an intended change, run the tests with AUTOTIMM_ACCEPT_API=1 to
/// rewrite the snapshot, and commit it.
/// </summary>
public sealed class PublicApiTests
{
    [Theory]
    [InlineData(typeof(AutoTimm.Models.VisionModel), "AutoTimm.Core")]
    [InlineData(typeof(Explain), "AutoTimm.Interpretation")]
    public void Should_match_the_approved_public_api(Type anchor, string name)
    {
        var api = anchor.Assembly.GeneratePublicApi(new ApiGeneratorOptions { ExcludeAttributes = ["System.Runtime.Versioning.TargetFrameworkAttribute"] })
            .ReplaceLineEndings("\n");
        var approved = Path.Combine(SourceFolder(), $"{name}.approved.txt");
        if (Environment.GetEnvironmentVariable("AUTOTIMM_ACCEPT_API") == "1") File.WriteAllText(approved, api);
        Assert.True(File.Exists(approved), $"{approved} is missing; run with AUTOTIMM_ACCEPT_API=1 to create it");
        var expected = File.ReadAllText(approved).ReplaceLineEndings("\n");
        if (expected == api) return;
        var received = Path.ChangeExtension(approved, ".received.txt");
        File.WriteAllText(received, api);
        var firstDifference = expected.Split('\n').Zip(api.Split('\n')).Select((pair, line) => (pair, line)).FirstOrDefault(p => p.pair.First != p.pair.Second);
        Assert.Fail($"the public API of {name} changed (first difference at line {firstDifference.line + 1}: '{firstDifference.pair.First}' -> '{firstDifference.pair.Second}'); compare {received} with {approved}, and accept an intended change with AUTOTIMM_ACCEPT_API=1");
    }

    private static string SourceFolder([System.Runtime.CompilerServices.CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
