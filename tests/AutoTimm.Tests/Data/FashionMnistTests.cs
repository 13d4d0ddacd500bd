using AutoTimm.Data;

namespace AutoTimm.Tests.Data;

/// <summary>Runs only when the Debian package's files are present; otherwise shows as skipped with the reason.</summary>
public sealed class FashionMnistPackageFactAttribute : FactAttribute
{
    public FashionMnistPackageFactAttribute()
    {
        if (!File.Exists(Path.Combine(FashionMnist.DebianDataDir, "t10k-labels-idx1-ubyte.gz")))
            Skip = $"dataset-fashion-mnist is not installed ({FashionMnist.DebianDataDir} missing); run scripts/install-data.sh to include this test.";
    }
}

// Methods of one class run sequentially: the environment variable tests cannot disturb each other.
public sealed class FashionMnistTests
{
    [Fact]
    public void Should_list_the_ten_classes_in_label_order()
    {
        Assert.Equal(10, FashionMnist.ClassNames.Count);
        Assert.Equal("T-shirt/top", FashionMnist.ClassNames[0]);
        Assert.Equal("Sandal", FashionMnist.ClassNames[5]);
        Assert.Equal("Ankle boot", FashionMnist.ClassNames[9]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Should_load_both_splits_from_an_explicit_directory(bool gzip)
    {
        using var dir = new TempDir();
        FakeFashionMnist.Write(dir.Path, trainCount: 30, testCount: 12, gzip);

        var data = FashionMnist.Load(dir.Path);

        Assert.Equal(dir.Path, data.Directory);
        Assert.Equal(30, data.Train.Count);
        Assert.Equal(12, data.Test.Count);
        var (trainPixels, trainLabels) = FakeFashionMnist.Items(30, test: false, seed: 1);
        Assert.Equal(trainLabels[7], data.Train.Label(7));
        Assert.Equal(trainPixels.AsSpan(7 * 784, 784).ToArray(), data.Train.Pixels(7).ToArray());
        Assert.Equal(5, data.Test.Label(0));
        Assert.Equal(28, data.Test.Height);
    }

    [Fact]
    public void Should_use_the_environment_variable_when_no_directory_is_given()
    {
        using var dir = new TempDir();
        FakeFashionMnist.Write(Path.Combine(dir.Path, "fashion-mnist"), trainCount: 10, testCount: 5);
        var before = Environment.GetEnvironmentVariable(FashionMnist.DataDirEnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(FashionMnist.DataDirEnvironmentVariable, dir.Path);
            var data = FashionMnist.Load();
            Assert.Equal(Path.Combine(dir.Path, "fashion-mnist"), data.Directory);
            Assert.Equal(10, data.Train.Count);
        }
        finally
        {
            Environment.SetEnvironmentVariable(FashionMnist.DataDirEnvironmentVariable, before);
        }
    }

    [Fact]
    public void Should_say_how_to_get_the_data_when_it_is_missing()
    {
        using var dir = new TempDir();
        FakeFashionMnist.Write(dir.Path);
        File.Delete(dir.File("t10k-labels-idx1-ubyte.gz"));

        var e = Assert.Throws<DatasetNotFoundException>(() => FashionMnist.Load(dir.Path));

        Assert.Contains("apt-get install dataset-fashion-mnist", e.Message);
        Assert.Contains("--data-dir", e.Message);
        Assert.Contains(FashionMnist.DataDirEnvironmentVariable, e.Message);
        Assert.Contains("missing: t10k-labels-idx1-ubyte[.gz]", e.Message);
        Assert.Contains(dir.Path, e.Message);
    }

    [Fact]
    public void Should_reject_splits_whose_image_and_label_counts_differ()
    {
        using var dir = new TempDir();
        FakeFashionMnist.Write(dir.Path, trainCount: 10, testCount: 5, gzip: false);
        IdxFile.WriteBytes(dir.File("t10k-labels-idx1-ubyte"), [4], [5, 6, 7, 8]);

        var e = Assert.Throws<InvalidDataException>(() => FashionMnist.Load(dir.Path));

        Assert.Contains("holds 5 images but", e.Message);
        Assert.Contains("holds 4 labels", e.Message);
    }

    [Fact]
    public void Should_reject_labels_outside_the_ten_classes()
    {
        using var dir = new TempDir();
        FakeFashionMnist.Write(dir.Path, trainCount: 3, testCount: 2, gzip: false);
        IdxFile.WriteBytes(dir.File("train-labels-idx1-ubyte"), [3], [1, 10, 2]);

        var e = Assert.Throws<InvalidDataException>(() => FashionMnist.Load(dir.Path));

        Assert.Contains("label 10 at item 1", e.Message);
    }

    [FashionMnistPackageFact]
    public void Should_read_the_installed_debian_package()
    {
        var data = FashionMnist.Load(FashionMnist.DebianDataDir);

        Assert.Equal(60000, data.Train.Count);
        Assert.Equal(10000, data.Test.Count);
        // The first item of both splits is an ankle boot (as in the original distribution).
        Assert.Equal(9, data.Train.Label(0));
        Assert.Equal(9, data.Test.Label(0));
        var counts = new int[10];
        for (var i = 0; i < data.Test.Count; i++) counts[data.Test.Label(i)]++;
        Assert.All(counts, c => Assert.Equal(1000, c));

        // Real items give substantial masks, and mask pixels carry the item's color far more than the rest does.
        var generator = new ClutteredCanvasGenerator(data.Test, seed: 1);
        for (var index = 0; index < 50; index++)
        {
            var c = generator.Generate(index);
            var maskPixels = c.Mask.Count(m => m);
            Assert.InRange(maskPixels, 60, 64 * 64 / 2);
            Assert.Equal(data.Test.Label(index), c.Label);
            var plane = c.Height * c.Width;
            double inside = 0, outside = 0;
            for (var i = 0; i < plane; i++)
            {
                var d = Math.Abs(c.Image[i] - c.ItemColor[0]) + Math.Abs(c.Image[plane + i] - c.ItemColor[1])
                    + Math.Abs(c.Image[2 * plane + i] - c.ItemColor[2]);
                if (c.Mask[i]) inside += d;
                else outside += d;
            }
            var (meanInside, meanOutside) = (inside / maskPixels, outside / (plane - maskPixels));
            Assert.True(meanInside < 0.5 * meanOutside, $"canvas {index}: mean color distance {meanInside:F3} inside the mask, {meanOutside:F3} outside");
        }
    }
}
