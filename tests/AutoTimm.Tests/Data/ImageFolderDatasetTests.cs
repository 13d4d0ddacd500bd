using AutoTimm.Data;
using AutoTimm.Tests.Fixtures;

namespace AutoTimm.Tests.Data;

public sealed class ImageFolderDatasetTests
{
    /// <summary>Test "images" are text files holding one number: decoded to a 2x2 image filled with it.</summary>
    private static float[] Decode(string path)
    {
        var value = float.Parse(File.ReadAllText(path), System.Globalization.CultureInfo.InvariantCulture);
        return Enumerable.Repeat(value, 12).ToArray();
    }

    private static void Put(TempDir dir, string relative, string content)
    {
        var path = Path.Combine(dir.Path, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    [Fact]
    public void Should_label_class_folders_in_ordinal_order_and_read_only_image_extensions()
    {
        using var dir = new TempDir();
        Put(dir, "zebra/b.png", "0.1");
        Put(dir, "zebra/a.JPG", "0.2");
        Put(dir, "zebra/notes.txt", "x");
        Put(dir, "Apple/x.webp", "0.3");
        Put(dir, "Apple/deep/y.jpeg", "0.4");
        Put(dir, "mango/m.bmp", "0.5");
        Put(dir, "mango/anim.gif", "x");

        var dataset = new ImageFolderDataset(dir.Path, 2, 2, Decode);

        Assert.Equal(new[] { "Apple", "mango", "zebra" }, dataset.ClassNames);
        Assert.Equal(5, dataset.Count);
        Assert.Equal(new[] { 0, 0, 1, 2, 2 }, Enumerable.Range(0, 5).Select(dataset.LabelOf));
        Assert.Equal(Path.Combine(dir.Path, "Apple", "deep", "y.jpeg"), dataset.PathOf(0));
        Assert.Equal(Path.Combine(dir.Path, "zebra", "a.JPG"), dataset.PathOf(3));
        var sample = dataset.Get(3);
        Assert.Equal(2, sample.Label);
        Assert.All(sample.Pixels, v => Assert.Equal(0.2f, v));
    }

    [Fact]
    public void Should_name_an_empty_class_folder()
    {
        using var dir = new TempDir();
        Put(dir, "cats/a.png", "0.1");
        Directory.CreateDirectory(Path.Combine(dir.Path, "dogs"));
        Put(dir, "dogs/readme.md", "no images here");

        var e = Assert.Throws<InvalidDataException>(() => new ImageFolderDataset(dir.Path, 2, 2, Decode));

        Assert.Contains(Path.Combine(dir.Path, "dogs"), e.Message);
        Assert.Contains("has no images", e.Message);
    }

    [Fact]
    public void Should_reject_a_missing_root_or_one_without_class_folders()
    {
        using var dir = new TempDir();
        Assert.Throws<DirectoryNotFoundException>(() => new ImageFolderDataset(dir.File("nope"), 2, 2, Decode));
        Put(dir, "loose.png", "0.1");
        var e = Assert.Throws<InvalidDataException>(() => new ImageFolderDataset(dir.Path, 2, 2, Decode));
        Assert.Contains("no class subfolders", e.Message);
    }

    [Fact]
    public void Should_skip_unreadable_images_with_one_warning_each_and_count_them()
    {
        using var dir = new TempDir();
        Put(dir, "a/1.png", "0.1");
        Put(dir, "a/2.png", "corrupt");
        Put(dir, "b/3.png", "0.3");
        Put(dir, "b/4.png", "0.5 wrong size");
        var log = new ListLogger();
        var dataset = new ImageFolderDataset(dir.Path, 2, 2,
            path => path.EndsWith("4.png") ? new float[5] : Decode(path), log);

        var readable = dataset.TryGet(0, 0);
        var skipped = dataset.TryGet(1, 0);
        var again = dataset.TryGet(1, 3);
        var wrongSize = dataset.TryGet(3, 0);
        var direct = Assert.Throws<InvalidDataException>(() => dataset.Get(1));

        Assert.NotNull(readable);
        Assert.All(readable.Pixels, v => Assert.Equal(0.1f, v));
        Assert.Null(skipped); // no stand-in: the loader leaves it out
        Assert.Null(again);
        Assert.Null(wrongSize);
        Assert.Contains(Path.Combine(dir.Path, "a", "2.png"), direct.Message);
        Assert.Contains("FormatException", direct.Message);
        Assert.Equal(2, dataset.SkippedCount);
        var warnings = log.Entries.Select(e => e.Message).ToList();
        Assert.Equal(2, warnings.Count);
        Assert.All(log.Entries, e => Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, e.Level));
        Assert.Contains(warnings, w => w.Contains(Path.Combine(dir.Path, "a", "2.png")) && w.Contains("FormatException"));
        Assert.Contains(dataset.SkippedFiles, kv => kv.Key.EndsWith("4.png") && kv.Value.Contains("expected 3x2x2"));
    }

    [Fact]
    public void Should_feed_a_data_loader_through_a_bad_file()
    {
        using var dir = new TempDir();
        for (var i = 0; i < 6; i++) Put(dir, $"c{i % 2}/{i}.png", i == 2 ? "bad" : $"0.{i}");
        var dataset = new ImageFolderDataset(dir.Path, 2, 2, Decode);
        var loader = new DataLoader(dataset, new DataLoaderOptions { BatchSize = 4, Shuffle = false });
        using var scope = TorchSharp.torch.NewDisposeScope();

        var batches = loader.Epoch(0).ToList();
        var seen = batches.SelectMany(b => b.Indices).ToArray();
        var labels = batches.SelectMany(b => b.Labels.data<long>().ToArray()).ToArray();
        var firstPixels = batches.SelectMany(b => b.Images.data<float>().ToArray()).Where((_, i) => i % 12 == 0).ToArray();

        Assert.Equal([3, 2], batches.Select(b => b.Count)); // 6 images, 1 unreadable: left out, not replaced
        Assert.Equal([0, 2, 3, 4, 5], seen); // c0 holds files 0, 2, 4 and c1 holds 1, 3, 5: index 1 is c0/2.png
        Assert.Equal([0L, 0, 1, 1, 1], labels);
        Assert.Equal([0.0f, 0.4f, 0.1f, 0.3f, 0.5f], firstPixels);
        Assert.Equal(1, dataset.SkippedCount);
    }
}
