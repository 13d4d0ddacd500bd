using System.Text.Json;
using AutoTimm.Imaging;

namespace AutoTimm.Cli.Tests;

public sealed class TrainEvaluateCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("autotimm-cli-train-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Two classes a tiny model separates at once: a bright bar at the top or at the bottom (flips keep labels).</summary>
    private string MakeImageFolder()
    {
        var root = Path.Combine(_dir, "images");
        var rng = new Random(3);
        foreach (var (name, top) in new[] { ("bottom", false), ("top", true) })
        {
            Directory.CreateDirectory(Path.Combine(root, name));
            for (int i = 0; i < 30; i++)
            {
                int offset = rng.Next(3);
                var image = RgbImage.Create(16, 16, (x, y) =>
                {
                    bool on = x >= 3 + offset && x < 12 + offset && (top ? y < 6 : y >= 10);
                    byte v = on ? (byte)230 : (byte)rng.Next(30);
                    return new Rgb(v, v, v);
                });
                ImageIO.SavePng(image, Path.Combine(root, name, $"{i:D2}.png"));
            }
        }
        File.WriteAllText(Path.Combine(root, "top", "broken.png"), "not a png");
        return root;
    }

    [Fact]
    public void Should_train_on_an_image_folder_then_evaluate_the_saved_model()
    {
        var data = MakeImageFolder();
        var output = Path.Combine(_dir, "run");
        var (code, json) = CliRunner.Run("train", "--arch", "resnet10_tiny", "--data", data, "--canvas-size", "16", "--epochs", "3",
            "--batch-size", "8", "--lr", "0.01", "--output-dir", output, "--logger", "csv", "--seed", "1", "--workers", "2");
        Assert.True(code == 0, json.ToString());
        var model = json.GetProperty("model").GetString()!;
        Assert.True(File.Exists(model));
        var provenance = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "provenance.json"))).RootElement;
        var skipped = provenance.GetProperty("skipped_images").EnumerateObject().ToArray();
        Assert.False(string.IsNullOrEmpty(provenance.GetProperty("onednn").GetString())); // how the convolutions ran
        Assert.Equal(Path.Combine(data, "top", "broken.png"), Assert.Single(skipped).Name); // with the reason as its value
        Assert.True(File.Exists(Path.Combine(output, "metrics.csv")));
        Assert.Equal(3, json.GetProperty("epochs").GetInt32());
        Assert.True(json.GetProperty("test_accuracy").GetDouble() >= 0.8, json.ToString());

        (code, json) = CliRunner.Run("evaluate", "--checkpoint", model, "--data", data);
        Assert.Equal(0, code);
        // The unreadable file is skipped with a warning and left out: each of the 60 readable images counts once.
        Assert.Equal(60, json.GetProperty("count").GetInt32());
        Assert.Equal(1, json.GetProperty("skipped").GetInt32());
        Assert.True(json.GetProperty("accuracy").GetDouble() >= 0.8);
        Assert.Equal("bottom", json.GetProperty("per_class_accuracy")[0].GetProperty("label").GetString());
        var confusion = json.GetProperty("confusion_matrix");
        Assert.Equal(60, confusion.EnumerateArray().SelectMany(r => r.EnumerateArray()).Sum(v => v.GetInt64()));

        var (parallelCode, parallel) = CliRunner.Run("evaluate", "--checkpoint", model, "--data", data, "--workers", "3");
        Assert.Equal(0, parallelCode);
        Assert.Equal(confusion.ToString(), parallel.GetProperty("confusion_matrix").ToString());
        Assert.Equal(json.GetProperty("loss").GetDouble(), parallel.GetProperty("loss").GetDouble(), 6);
    }

    [Fact]
    public void Should_end_with_the_uninterrupted_weights_when_killed_after_an_epoch_and_resumed()
    {
        var data = MakeImageFolder();
        string[] Args(string output) => ["train", "--arch", "resnet10_tiny", "--data", data, "--canvas-size", "16", "--epochs", "6", "--batch-size", "8",
            "--lr", "0.01", "--output-dir", Path.Combine(_dir, output), "--seed", "1", "--workers", "1", "--threads", "1"];
        var (code, whole) = CliRunner.Run(Args("whole"));
        Assert.True(code == 0, whole.ToString());

        // The same run in a process of its own, killed with SIGKILL once its first epoch is committed.
        using var process = CliRunner.StartProcess(Args("killed"));
        var output = Path.Combine(_dir, "killed");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        bool Committed() => Directory.Exists(output) && Directory.EnumerateFiles(output, "CURRENT", SearchOption.AllDirectories).Any();
        while (!process.HasExited && !Committed() && clock.Elapsed < TimeSpan.FromMinutes(2)) Thread.Sleep(10);
        Assert.False(process.HasExited, "the run ended before it could be killed");
        process.Kill();
        process.WaitForExit();
        Assert.Equal(137, process.ExitCode);

        var (resumedCode, resumed) = CliRunner.Run([.. Args("killed"), "--resume"]);
        Assert.True(resumedCode == 0, resumed.ToString());
        Assert.Equal(whole.GetProperty("test_accuracy").GetDouble(), resumed.GetProperty("test_accuracy").GetDouble());
        using var a = AutoTimm.Models.ModelCheckpoint.Load(whole.GetProperty("model").GetString()!);
        using var b = AutoTimm.Models.ModelCheckpoint.Load(resumed.GetProperty("model").GetString()!);
        var expected = a.state_dict();
        foreach (var (name, tensor) in b.state_dict())
            Assert.True(tensor.contiguous().bytes.SequenceEqual(expected[name].contiguous().bytes), $"{name} differs from the uninterrupted run's");
    }

    [SkippableFact]
    public void Should_keep_the_last_checkpoint_whole_when_the_disk_fills_and_resume_from_it()
    {
        var data = MakeImageFolder();
        string[] Args(string output) => ["train", "--arch", "resnet10_tiny", "--data", data, "--canvas-size", "16", "--epochs", "4", "--batch-size", "8",
            "--lr", "0.01", "--output-dir", output, "--seed", "1", "--workers", "1", "--threads", "1"];
        var reference = Path.Combine(_dir, "whole");
        var (code, whole) = CliRunner.Run(Args(reference));
        Assert.True(code == 0, whole.ToString());
        long Bytes(string dir) => Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        long total = Bytes(reference), generation = Bytes(Directory.EnumerateDirectories(Path.Combine(reference, "checkpoints"), "epoch-*").Single());

        // Room for the first epoch's checkpoints but not for the second epoch's generation beside them.
        string output = Path.Combine(_dir, "full"), kept = Path.Combine(_dir, "kept"), resumed = Path.Combine(_dir, "resumed");
        foreach (var dir in new[] { output, kept, resumed }) Directory.CreateDirectory(dir);
        Skip.IfNot(DiskFull.CanMountTmpfs(output), "needs a private mount namespace (unshare -rm) to mount a size-limited tmpfs");
        string Run(string name, params string[] extra) => DiskFull.CliRun(Args(output).Concat(extra), _dir, name);
        DiskFull.RunInNamespace(
            $"mount -t tmpfs -o size={(total + generation / 2) / 1024}k tmpfs {DiskFull.Quote(output)}",
            Run("first"),
            $"cp -a {DiskFull.Quote(output)}/. {DiskFull.Quote(kept)}/",
            $"mount -o remount,size=256m {DiskFull.Quote(output)}",
            Run("resumed", "--resume"),
            $"cp -a {DiskFull.Quote(output)}/. {DiskFull.Quote(resumed)}/");

        Assert.Equal("1", File.ReadAllText(Path.Combine(_dir, "first.rc")).Trim());
        var error = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "first.json"))).RootElement.GetProperty("error").GetString()!;
        Assert.Contains("cannot save the checkpoint of epoch 2", error, StringComparison.Ordinal);
        Assert.Contains("No space left on device", error, StringComparison.Ordinal);
        Assert.Contains("(epoch-00001) is whole", error, StringComparison.Ordinal);
        // The committed generation is the first epoch's, complete; the failed one left nothing behind.
        var checkpoints = Path.Combine(kept, "checkpoints");
        Assert.Equal("epoch-00001", File.ReadAllText(Path.Combine(checkpoints, "CURRENT")).Trim());
        Assert.Equal(["epoch-00001"], Directory.EnumerateDirectories(checkpoints).Select(Path.GetFileName));
        Assert.Empty(Directory.EnumerateFiles(kept, ".*", SearchOption.AllDirectories));

        // Resumed with space, it ends with the uninterrupted run's weights, bit for bit.
        Assert.Equal("0", File.ReadAllText(Path.Combine(_dir, "resumed.rc")).Trim());
        using var a = AutoTimm.Models.ModelCheckpoint.Load(whole.GetProperty("model").GetString()!);
        using var b = AutoTimm.Models.ModelCheckpoint.Load(Path.Combine(resumed, "model.safetensors"));
        var expected = a.state_dict();
        foreach (var (name, tensor) in b.state_dict())
            Assert.True(tensor.contiguous().bytes.SequenceEqual(expected[name].contiguous().bytes), $"{name} differs from the uninterrupted run's");
    }

    [Fact]
    public void Should_log_explanations_of_validation_images_and_layer_statistics_when_asked()
    {
        var data = MakeImageFolder();
        var output = Path.Combine(_dir, "interpreted");

        var (code, json) = CliRunner.Run("train", "--arch", "resnet10_tiny", "--data", data, "--canvas-size", "16", "--epochs", "2", "--batch-size", "8",
            "--output-dir", output, "--threads", "1", "--interpret-samples", "2", "--monitor-layers", "layer2,layer4", "--monitor-batches", "1");

        Assert.True(code == 0, json.ToString());
        var rows = File.ReadAllLines(Path.Combine(output, "metrics.csv")).Select(l => l.Split(',')).ToList();
        var overlays = rows.Where(r => r[1].StartsWith("interpretation/gradcam/sample", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, overlays.Count); // 2 samples x 2 epochs
        Assert.All(overlays, r => Assert.Equal(16, ImageIO.Load(Path.Combine(output, r[2])).Width));
        foreach (var tag in new[] { "features/layer2/mean", "features/layer4/sparsity" })
            Assert.Equal(2, rows.Count(r => r[1] == tag));
        Assert.InRange(double.Parse(rows.Last(r => r[1] == "features/layer4/sparsity")[2], System.Globalization.CultureInfo.InvariantCulture), 0, 1);
        Assert.True(new FileInfo(Directory.GetFiles(Path.Combine(output, "tensorboard")).Single()).Length > 4 * 100);
    }

    [Fact]
    public void Should_write_the_provenance_when_a_class_has_no_test_image()
    {
        // 5 images per class: the seeded 80/10/10 split leaves one test image, so one class has no test accuracy.
        var root = Path.Combine(_dir, "few");
        foreach (var name in new[] { "a", "b" })
        {
            Directory.CreateDirectory(Path.Combine(root, name));
            for (int i = 0; i < 5; i++)
                ImageIO.SavePng(RgbImage.Create(16, 16, (x, y) => new Rgb((byte)(name == "a" ? 200 : 20), (byte)(x * 10 + i), (byte)y)), Path.Combine(root, name, $"{i}.png"));
        }

        var (code, json) = CliRunner.Run("train", "--arch", "resnet10_tiny", "--data", root, "--canvas-size", "16", "--epochs", "1", "--batch-size", "4",
            "--output-dir", Path.Combine(_dir, "few-run"), "--threads", "1");

        Assert.True(code == 0, json.ToString());
        var provenance = JsonDocument.Parse(File.ReadAllText(json.GetProperty("provenance").GetString()!)).RootElement;
        var perClass = provenance.GetProperty("test_per_class_accuracy").EnumerateArray().ToList();
        Assert.Equal(2, perClass.Count);
        Assert.Single(perClass, v => v.ValueKind == JsonValueKind.Null);
    }

    [Fact]
    public void Should_explain_how_to_get_a_missing_dataset()
    {
        var (code, json) = CliRunner.Run("train", "--data-dir", Path.Combine(_dir, "nowhere"), "--epochs", "1", "--output-dir", Path.Combine(_dir, "r"));
        Assert.Equal(1, code);
        Assert.Contains("dataset-fashion-mnist", json.GetProperty("error").GetString());
    }

    [Fact]
    public void Should_name_an_empty_class_folder()
    {
        var root = Path.Combine(_dir, "empty");
        Directory.CreateDirectory(Path.Combine(root, "a"));
        var (code, json) = CliRunner.Run("train", "--data", root, "--epochs", "1", "--output-dir", Path.Combine(_dir, "r2"));
        Assert.Equal(1, code);
        Assert.Contains(Path.Combine(root, "a"), json.GetProperty("error").GetString());
    }
}
