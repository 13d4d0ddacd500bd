using AutoTimm.Data;

namespace AutoTimm.Tests.Data;

/// <summary>Tiny Fashion-MNIST look-alikes: each item is a solid 255 rectangle (so opaque pixels are exact) on 0.</summary>
internal static class FakeFashionMnist
{
    /// <summary>Train labels are 0-4 and test labels 5-9, so a canvas's label tells its split.</summary>
    public static (byte[] Pixels, byte[] Labels) Items(int count, bool test, int seed)
    {
        var random = new Random(seed);
        var pixels = new byte[count * 28 * 28];
        var labels = new byte[count];
        for (var i = 0; i < count; i++)
        {
            labels[i] = (byte)((test ? 5 : 0) + i % 5);
            var w = random.Next(10, 21);
            var h = random.Next(10, 21);
            var x0 = random.Next(2, 28 - w - 1);
            var y0 = random.Next(2, 28 - h - 1);
            for (var y = y0; y < y0 + h; y++)
            {
                for (var x = x0; x < x0 + w; x++) pixels[i * 784 + y * 28 + x] = 255;
            }
        }
        return (pixels, labels);
    }

    public static FashionMnistSplit Split(int count, bool test, int seed = 1)
    {
        var (pixels, labels) = Items(count, test, seed);
        return new FashionMnistSplit(test ? "test" : "train", pixels, labels);
    }

    /// <summary>Writes the four IDX files into <paramref name="dir"/>.</summary>
    public static void Write(string dir, int trainCount = 30, int testCount = 12, bool gzip = true)
    {
        Directory.CreateDirectory(dir);
        var suffix = gzip ? ".gz" : "";
        foreach (var (prefix, count, test) in new[] { ("train", trainCount, false), ("t10k", testCount, true) })
        {
            var (pixels, labels) = Items(count, test, test ? 2 : 1);
            IdxFile.WriteBytes(Path.Combine(dir, $"{prefix}-images-idx3-ubyte{suffix}"), [count, 28, 28], pixels, gzip);
            IdxFile.WriteBytes(Path.Combine(dir, $"{prefix}-labels-idx1-ubyte{suffix}"), [count], labels, gzip);
        }
    }
}

/// <summary>A temporary directory removed on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "autotimm-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
