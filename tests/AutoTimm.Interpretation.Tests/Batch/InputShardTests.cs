using AutoTimm.Interpretation.Batch;

namespace AutoTimm.Interpretation.Tests.Batch;

public sealed class InputShardTests
{
    private static readonly string[] Keys = [.. Enumerable.Range(0, 1000).Select(i => $"class_{i % 7}/image_{i:D4}.jpg")];

    [Fact]
    public void Should_split_inputs_into_disjoint_shards_that_cover_them_all_and_are_balanced()
    {
        var shards = Enumerable.Range(0, 3).Select(i => new InputShard(i, 3)).ToList();
        foreach (var key in Keys) Assert.Single(shards, s => s.Contains(key));
        // 1000 keys hashed into 3 parts: each part within 5 standard deviations of 1000/3 (binomial sd = 14.9).
        foreach (var shard in shards) Assert.InRange(Keys.Count(shard.Contains), 333 - 75, 333 + 75);
    }

    [Theory]
    // XxHash64 (seed 0) of the UTF-8 path, mod 5: fixed by the algorithm's specification, so a split never moves
    // between versions, machines or processes (ce606fef7a536e12, 217a78e840ca70dd, c7077f0796541436, 37e60f7f29f51730).
    [InlineData("a/b.png", 0)]
    [InlineData("cats/001.jpg", 1)]
    [InlineData("x/y/z.webp", 3)]
    [InlineData("image.npy", 4)]
    public void Should_assign_a_path_to_the_same_shard_on_every_machine(string key, int shard)
    {
        Assert.Equal(shard, Enumerable.Range(0, 5).Single(i => new InputShard(i, 5).Contains(key)));
        Assert.True(new InputShard(shard, 5).Contains(key.Replace('/', '\\')));
        Assert.True(InputShard.All.Contains(key));
    }

    [Theory]
    [InlineData("1/3", 1, 3)]
    [InlineData(" 0 / 1 ", 0, 1)]
    public void Should_parse_index_over_count(string text, int index, int count) => Assert.Equal(new InputShard(index, count), InputShard.Parse(text));

    [Theory]
    [InlineData("3/3", "index 3 is outside 0..2")]
    [InlineData("-1/3", "not i/n")]
    [InlineData("1/0", "at least 1")]
    [InlineData("1", "not i/n")]
    public void Should_reject_a_malformed_shard_saying_why(string text, string reason) =>
        Assert.Contains(reason, Assert.Throws<FormatException>(() => InputShard.Parse(text)).Message, StringComparison.Ordinal);

    [Fact]
    public void Should_read_the_index_from_a_kubernetes_indexed_job_or_a_slurm_array()
    {
        Dictionary<string, string> env = new() { [InputShard.KubernetesIndexVariable] = "2" };
        Assert.Equal(new InputShard(2, 4), InputShard.FromEnvironment(4, env.GetValueOrDefault));
        Assert.Contains("--shards", Assert.Throws<FormatException>(() => InputShard.FromEnvironment(null, env.GetValueOrDefault)).Message, StringComparison.Ordinal);

        // Slurm arrays may start at 1 (--array=1-3): the index is relative to the array's minimum, the count from the array.
        env = new() { [InputShard.SlurmIndexVariable] = "3", [InputShard.SlurmMinVariable] = "1", [InputShard.SlurmCountVariable] = "3" };
        Assert.Equal(new InputShard(2, 3), InputShard.FromEnvironment(null, env.GetValueOrDefault));
        env[InputShard.SlurmIndexVariable] = "x";
        Assert.Contains("SLURM_ARRAY_TASK_ID='x' is not an integer", Assert.Throws<FormatException>(() => InputShard.FromEnvironment(null, env.GetValueOrDefault)).Message, StringComparison.Ordinal);
        Assert.Null(InputShard.FromEnvironment(3, _ => null));
    }
}
