using AutoTimm.Imaging;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Tests.Reference;

/// <summary>Golden arrays from pytorch-grad-cam and Captum (tools/fixtures/make_reference_goldens.py).</summary>
internal static class ReferenceFixtures
{
    public static string Path(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = System.IO.Path.Combine(dir.FullName, "tests", "fixtures", relative);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"fixture tests/fixtures/{relative} not found; regenerate with tools/fixtures/", relative);
    }

    public static Tensor Load(string relative) => Npy.Load(Path(relative));

    /// <summary>The seed images repeated into blocks of <paramref name="factor"/> pixels, as the generator does.</summary>
    public static Tensor ResNetInput(int factor)
    {
        using var seed = Load("reference/resnet18_input_seed.npy");
        return seed.repeat_interleave(factor, dim: 2).repeat_interleave(factor, dim: 3).contiguous();
    }

    /// <summary>Pearson correlation of two equally long arrays.</summary>
    public static double Pearson(IReadOnlyList<float> a, IReadOnlyList<float> b)
    {
        Assert.Equal(a.Count, b.Count);
        double ma = a.Average(v => (double)v), mb = b.Average(v => (double)v);
        double sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < a.Count; i++)
        {
            double da = a[i] - ma, db = b[i] - mb;
            sab += da * db;
            saa += da * da;
            sbb += db * db;
        }
        return sab / Math.Sqrt(saa * sbb);
    }

    public static float[] Row(Tensor t, int index) => t[index].contiguous().data<float>().ToArray();
}
