using AutoTimm.Diagnostics;
using AutoTimm.Imaging;
using AutoTimm.Interpretation.Batch;
using AutoTimm.Interpretation.Methods;
using AutoTimm.Models;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Tests.Batch;

public sealed class BatchExplainerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("explain-batch-").FullName;
    private readonly ImageClassifier _model = ModelZoo.Create("resnet10_tiny", 4, new PreprocessConfig { Height = 32, Width = 32, CropPct = 1f }, ["a", "b", "c", "d"]);

    public void Dispose()
    {
        _model.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private string Input => Path.Combine(_dir, "in");

    private string Output => Path.Combine(_dir, "out");

    // Seven small photos-to-be in two folders, and one file that is not an image.
    private IReadOnlyList<BatchInput> WriteInputs()
    {
        var random = new Random(5);
        for (int i = 0; i < 7; i++)
        {
            var pixels = new byte[40 * 36 * 3];
            random.NextBytes(pixels);
            var folder = Path.Combine(Input, i % 2 == 0 ? "even" : "odd");
            Directory.CreateDirectory(folder);
            ImageIO.SavePng(new RgbImage(40, 36, pixels), Path.Combine(folder, $"img{i}.png"));
        }
        File.WriteAllText(Path.Combine(Input, "broken.jpg"), "not an image");
        File.WriteAllText(Path.Combine(Input, "notes.txt"), "ignored");
        return BatchInputs.FromDirectory(Input);
    }

    private BatchExplainSummary Run(IReadOnlyList<BatchInput> inputs, int batchSize = 3, InputShard? shard = null, PerformanceProfiler? profiler = null) =>
        BatchExplainer.Run(new BatchExplainRequest
        {
            Model = _model,
            Inputs = inputs,
            OutputDir = Output,
            Methods = ["gradcam", "integrated_gradients"],
            Options = AutoTimm.Interpretation.Engine.ExplanationOptions.Default.With(new IntegratedGradientsOptions { Steps = 4 }),
            BatchSize = batchSize,
            Workers = 2,
            Shard = shard ?? InputShard.All,
            Profiler = profiler,
        });

    [Fact]
    public void Should_explain_every_readable_input_as_the_explainer_does_and_list_the_unreadable_one()
    {
        var inputs = WriteInputs();
        Assert.Equal(["broken.jpg", "even/img0.png", "even/img2.png", "even/img4.png", "even/img6.png", "odd/img1.png", "odd/img3.png", "odd/img5.png"], inputs.Select(i => i.Key));
        var profiler = new PerformanceProfiler();
        var summary = Run(inputs, profiler: profiler);

        Assert.Equal((8, 0, 7, 0), (summary.Inputs, summary.AlreadyDone, summary.Explained, summary.Partial));
        Assert.Contains("broken.jpg", summary.Failed.Single().Key, StringComparison.Ordinal);
        var entries = BatchManifest.Read(summary.Manifest).ToDictionary(e => e.Path);
        Assert.Contains("not a recognised image", entries["broken.jpg"].Errors![BatchExplainer.InputError], StringComparison.Ordinal);

        // The images go through the model in input order, three at a time: the same batches GradCam.ExplainBatch makes,
        // so the raw maps are the explainer's to the bit.
        var readable = inputs.Where(i => i.Key != "broken.jpg").ToList();
        using var gradCam = new GradCam(_model);
        var expected = gradCam.ExplainBatch(readable.Select(i => ImageInput.FromFile(i.FullPath)).ToList(), batchSize: 3);
        for (int i = 0; i < readable.Count; i++)
        {
            var entry = entries[readable[i].Key];
            Assert.Equal(ManifestEntry.Ok, entry.Status);
            Assert.Equal(expected[i].Prediction is AutoTimm.Interpretation.Engine.ClassPrediction p ? p.PredictedClass : -1, entry.PredictedClass);
            using var raw = Npy.Load(Path.Combine(Output, entry.Outputs!["gradcam"].Raw!));
            Assert.Equal(expected[i].Raw, raw.data<float>().ToArray());
            Assert.True(File.Exists(Path.Combine(Output, entry.Outputs["integrated_gradients"].Attributions!)));
            Assert.Equal([32, 32], ImageIO.Load(Path.Combine(Output, entry.Outputs["gradcam"].Figure)) is var png ? new[] { png.Width, png.Height } : []);
        }
        foreach (var stage in new[] { "decode", "preprocess", "forward", "backward", "render", "write" })
            Assert.True(profiler.Summary[stage].Count > 0, stage);
        Assert.Equal(8, profiler.Summary["decode"].Count);
        Assert.Empty(Directory.EnumerateFiles(Output, ".*", SearchOption.AllDirectories));
    }

    [Fact]
    public void Should_skip_what_an_interrupted_run_finished_and_end_with_the_same_files()
    {
        // One image per batch: a resumed run then computes every redone image exactly as the first run did.
        var inputs = WriteInputs();
        var first = Run(inputs, batchSize: 1);
        var manifest = first.Manifest;
        var files = Directory.EnumerateFiles(Output, "*.npy", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToDictionary(f => f, File.ReadAllBytes);

        // As if killed: the last two entries were never appended, one output of a finished image is gone, and the
        // manifest ends in a torn line.
        var lines = File.ReadAllLines(manifest);
        File.WriteAllText(manifest, string.Join("\n", lines.Take(lines.Length - 2)) + "\n{\"path\":\"odd/im");
        var finished = lines.Take(lines.Length - 2).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("path").GetString()!).ToList();
        var damaged = finished.First(k => k != "broken.jpg");
        File.Delete(Directory.EnumerateFiles(Output, Path.GetFileName(damaged) + ".gradcam_raw.npy", SearchOption.AllDirectories).Single());

        var second = Run(inputs, batchSize: 1);
        Assert.Equal(finished.Count - 1, second.AlreadyDone);
        Assert.Equal(inputs.Count - second.AlreadyDone, second.Explained + second.Failed.Count);
        foreach (var (path, bytes) in files) Assert.Equal(bytes, File.ReadAllBytes(path));
        var final = BatchManifest.Read(manifest).GroupBy(e => e.Path).ToDictionary(g => g.Key, g => g.Last());
        Assert.Equal(inputs.Select(i => i.Key), final.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Should_explain_each_input_in_exactly_one_shard()
    {
        var inputs = WriteInputs();
        var shards = Enumerable.Range(0, 3).Select(i => Run(inputs, shard: new InputShard(i, 3))).ToList();
        Assert.Equal(inputs.Count, shards.Sum(s => s.Inputs));
        var merged = BatchManifest.Merge([.. shards.Select(s => s.Manifest)], Path.Combine(Output, BatchManifest.FileName));
        Assert.Equal(inputs.Select(i => i.Key), merged.Select(e => e.Path));
    }

    [Fact]
    public void Should_clear_only_its_own_shards_leftovers_from_a_folder_other_shards_write_in()
    {
        var inputs = WriteInputs();
        var folder = Path.Combine(Output, "even");
        Directory.CreateDirectory(folder);
        // Files in flight: one of another shard still running, one this shard left when it was killed, one untagged.
        string Staged(string tag) => Path.Combine(folder, $".img0.gradcam{tag}.{Guid.NewGuid():N}.partial.png");
        string others = Staged(".shard-2-of-3"), own = Staged(".shard-1-of-3"), untagged = Staged("");
        foreach (var file in new[] { others, own, untagged }) File.WriteAllText(file, "in flight");
        Run(inputs, shard: new InputShard(0, 3));
        Assert.True(File.Exists(others));
        Assert.False(File.Exists(own));
        Assert.True(File.Exists(untagged));
        // Every file this shard staged was committed or removed.
        Assert.Equal(new[] { others, untagged }.Order(StringComparer.Ordinal), Directory.EnumerateFiles(Output, ".*", SearchOption.AllDirectories).Where(f => f.Contains(".partial", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Should_refuse_a_batch_size_out_of_range_naming_it()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Run(WriteInputs(), batchSize: 0));
        Assert.Equal("BatchSize", error.ParamName);
    }
}
