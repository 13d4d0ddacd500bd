using System.Diagnostics;
using System.Text.Json;

namespace AutoTimm.Cli.Tests;

/// <summary>
/// <c>explain-batch</c> as a cluster runs it: shards in separate processes whose union is one unsharded run, and a
/// process killed with SIGKILL and started again that ends with the files an uninterrupted run writes.
/// </summary>
public sealed class ExplainBatchCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cli-explain-batch-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // The bundled sample canvases and photos, in two folders, and one file that is not an image.
    private string Inputs()
    {
        var input = Path.Combine(_dir, "in");
        var canvases = Path.GetDirectoryName(CliRunner.Sample("canvases/canvas_test_00000.png"))!;
        var photos = Path.GetDirectoryName(CliRunner.Sample("photos/chelsea.png"))!;
        foreach (var (from, to) in new[] { (canvases, "canvases"), (photos, "photos") })
        {
            Directory.CreateDirectory(Path.Combine(input, to));
            foreach (var file in Directory.EnumerateFiles(from).Where(f => f.EndsWith(".png", StringComparison.Ordinal) || f.EndsWith(".jpg", StringComparison.Ordinal)))
                File.Copy(file, Path.Combine(input, to, Path.GetFileName(file)));
        }
        File.WriteAllText(Path.Combine(input, "photos", "truncated.jpg"), "\xFF\xD8\xFF");
        return input;
    }

    private static string[] Args(string input, string output, params string[] extra) => Args(input, output, 16, extra);

    // One thread everywhere: libtorch splits some reductions among its threads, so a Grad-CAM map can differ by an ulp
    // between thread counts (seen on AVX-512 hosts), and a run in the test host and one in a child process must agree
    // whatever thread count other tests left the host at.
    private static string[] Args(string input, string output, int igSteps, params string[] extra) =>
        ["explain-batch", "--input-dir", input, "--output-dir", output, "--methods", "gradcam,integrated_gradients", "--ig-steps", $"{igSteps}", "--batch-size", "1", "--threads", "1", .. extra];

    private static Process Start(string[] args, IDictionary<string, string>? environment = null) => CliRunner.StartProcess(args, environment);

    private static JsonElement Finish(Process process)
    {
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {stdout}");
        return JsonDocument.Parse(stdout).RootElement.Clone();
    }

    private static SortedDictionary<string, byte[]> Outputs(string dir) => new(
        Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".npy", StringComparison.Ordinal) || f.EndsWith(".png", StringComparison.Ordinal))
            .ToDictionary(f => Path.GetRelativePath(dir, f), File.ReadAllBytes), StringComparer.Ordinal);

    // Manifest entries without their timings, by path.
    private static SortedDictionary<string, string> Entries(string manifest) => new(
        File.ReadAllLines(manifest).Select(line => JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(line)!)
            .ToDictionary(e => e["path"].GetString()!, e => string.Join(";", e.Where(kv => kv.Key != "timings_ms").Select(kv => $"{kv.Key}={kv.Value}"))),
        StringComparer.Ordinal);

    [Fact]
    public void Should_give_the_unsharded_results_from_three_shard_processes_merged()
    {
        var input = Inputs();
        string whole = Path.Combine(_dir, "whole"), sharded = Path.Combine(_dir, "sharded");
        var (code, summary) = CliRunner.Run(Args(input, whole));
        Assert.Equal(0, code);
        Assert.Equal("photos/truncated.jpg", Assert.Single(summary.GetProperty("failed").EnumerateObject()).Name);

        // Shard 0 by flag, shard 1 from a Kubernetes Indexed Job's index, shard 2 from a Slurm array that starts at 1.
        var shards = new[]
        {
            Start(Args(input, sharded, "--shard", "0/3")),
            Start(Args(input, sharded, "--shards", "3"), new Dictionary<string, string> { ["JOB_COMPLETION_INDEX"] = "1" }),
            Start(Args(input, sharded), new Dictionary<string, string>
            {
                ["SLURM_ARRAY_TASK_ID"] = "3", ["SLURM_ARRAY_TASK_MIN"] = "1", ["SLURM_ARRAY_TASK_COUNT"] = "3",
            }),
        }.Select(Finish).ToList();
        Assert.Equal([0, 1, 2], shards.Select(s => s.GetProperty("shard").GetProperty("index").GetInt32()));
        Assert.Equal(summary.GetProperty("inputs").GetInt32(), shards.Sum(s => s.GetProperty("inputs").GetInt32()));
        Assert.All(shards, s => Assert.InRange(s.GetProperty("explained").GetInt32(), 1, 20));

        var (mergeCode, merged) = CliRunner.Run("merge-manifests", sharded);
        Assert.Equal(0, mergeCode);
        Assert.Equal(3, merged.GetProperty("sources").GetArrayLength());
        Assert.Equal(Entries(Path.Combine(whole, "manifest.jsonl")), Entries(merged.GetProperty("manifest").GetString()!));
        var expected = Outputs(whole);
        var actual = Outputs(sharded);
        Assert.Equal(expected.Keys, actual.Keys);
        foreach (var (file, bytes) in expected) Assert.True(bytes.AsSpan().SequenceEqual(actual[file]), $"{file} differs");
    }

    [Fact]
    public void Should_end_with_the_uninterrupted_files_when_killed_and_started_again()
    {
        var input = Inputs();
        string reference = Path.Combine(_dir, "reference"), resumed = Path.Combine(_dir, "resumed");
        // Enough work per image (IG with 96 steps) that the kill lands mid-run on any host.
        Assert.Equal(0, CliRunner.Run(Args(input, reference, 96)).ExitCode);

        var manifest = Path.Combine(resumed, "manifest.jsonl");
        var process = Start(Args(input, resumed, 96));
        var clock = Stopwatch.StartNew();
        // The running process holds its manifest exclusively; its committed outputs show its progress (an image's files
        // are renamed into place just before its manifest line is appended).
        int Finished() => Directory.Exists(resumed) ? Directory.EnumerateFiles(resumed, "*.integrated_gradients_attr.npy", SearchOption.AllDirectories).Count() : 0;
        while (!process.HasExited && Finished() < 4 && clock.Elapsed < TimeSpan.FromMinutes(2))
            Thread.Sleep(20);
        Assert.False(process.HasExited, $"the run ended (exit {(process.HasExited ? process.ExitCode : 0)}) before it could be killed: {(process.HasExited ? process.StandardOutput.ReadToEnd() : "")}");
        process.Kill();
        process.WaitForExit();
        Assert.Equal(137, process.ExitCode);
        int before = File.ReadAllLines(manifest).Length;
        Assert.InRange(before, 3, 20);

        var (code, summary) = CliRunner.Run(Args(input, resumed, 96));
        Assert.Equal(0, code);
        // A manifest line follows its input's committed files, so every line of the killed run is a finished input.
        Assert.Equal(before, summary.GetProperty("already_done").GetInt32());
        var expected = Outputs(reference);
        var actual = Outputs(resumed);
        Assert.Equal(expected.Keys, actual.Keys);
        foreach (var (file, bytes) in expected) Assert.True(bytes.AsSpan().SequenceEqual(actual[file]), $"{file} differs");
        Assert.Equal(Entries(Path.Combine(reference, "manifest.jsonl")), Entries(manifest));
        Assert.Equal(File.ReadAllLines(manifest).Length, Entries(manifest).Count);
        Assert.Empty(Directory.EnumerateFiles(resumed, ".*", SearchOption.AllDirectories));
    }

    [SkippableFact]
    public void Should_stop_on_a_full_disk_with_every_committed_image_whole_and_finish_when_started_again()
    {
        var input = Inputs();
        var reference = Path.Combine(_dir, "reference");
        Assert.Equal(0, CliRunner.Run(Args(input, reference)).ExitCode);
        var expected = Outputs(reference);
        long referenceBytes = expected.Values.Sum(b => (long)b.Length);

        // A tmpfs of 40% of the output's size, mounted in a private mount namespace; then made large enough and run again.
        string output = Path.Combine(_dir, "full"), full = Path.Combine(_dir, "after-full"), restarted = Path.Combine(_dir, "after-restart");
        foreach (var dir in new[] { output, full, restarted }) Directory.CreateDirectory(dir);
        Skip.IfNot(DiskFull.CanMountTmpfs(output), "needs a private mount namespace (unshare -rm) to mount a size-limited tmpfs");
        string Run(string name) => DiskFull.CliRun(Args(input, output), _dir, name);
        DiskFull.RunInNamespace(
            $"mount -t tmpfs -o size={Math.Max(64, referenceBytes * 2 / 5 / 1024)}k tmpfs {DiskFull.Quote(output)}",
            Run("first"),
            $"cp -a {DiskFull.Quote(output)}/. {DiskFull.Quote(full)}/",
            $"mount -o remount,size=256m {DiskFull.Quote(output)}",
            Run("second"),
            $"cp -a {DiskFull.Quote(output)}/. {DiskFull.Quote(restarted)}/");

        // The first run stops with a message that says what happened and what to do, and exit 1.
        Assert.Equal("1", File.ReadAllText(Path.Combine(_dir, "first.rc")).Trim());
        var error = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "first.json"))).RootElement.GetProperty("error").GetString()!;
        Assert.Contains("No space left on device", error, StringComparison.Ordinal);
        Assert.Contains("run the same command again", error, StringComparison.Ordinal);
        // What it left is whole: complete manifest lines, files equal to the uninterrupted run's, no temporary file.
        int committed = Entries(Path.Combine(full, "manifest.jsonl")).Count;
        Assert.InRange(committed, 1, expected.Count / 2 - 1);
        foreach (var (file, bytes) in Outputs(full)) Assert.True(bytes.AsSpan().SequenceEqual(expected[file]), $"{file} differs from the uninterrupted run's");
        Assert.Empty(Directory.EnumerateFiles(full, ".*", SearchOption.AllDirectories));

        // Started again with space, it skips what was committed and ends with the uninterrupted run's files.
        Assert.Equal("0", File.ReadAllText(Path.Combine(_dir, "second.rc")).Trim());
        var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "second.json"))).RootElement;
        Assert.Equal(committed, summary.GetProperty("already_done").GetInt32());
        var actual = Outputs(restarted);
        Assert.Equal(expected.Keys, actual.Keys);
        foreach (var (file, bytes) in expected) Assert.True(bytes.AsSpan().SequenceEqual(actual[file]), $"{file} differs");
        Assert.Equal(Entries(Path.Combine(reference, "manifest.jsonl")), Entries(Path.Combine(restarted, "manifest.jsonl")));
    }

    [Theory]
    [InlineData("--shard", "3/3", "index 3 is outside 0..2")]
    [InlineData("--batch-size", "0", "--batch-size 0 is outside")]
    [InlineData("--list", "x.txt", "not both")]
    public void Should_refuse_bad_options_before_any_work(string option, string value, string message)
    {
        var (code, json) = CliRunner.Run("explain-batch", "--input-dir", _dir, "--output-dir", Path.Combine(_dir, "o"), option, value);
        Assert.Equal(2, code);
        Assert.Contains(message, json.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_dir, "o")));
    }
}
