using System.Text.RegularExpressions;

namespace AutoTimm.Interpretation.Tests.Engine;

/// <summary>
/// Every tensor an explainer makes lives on the model's device, so moving the model is the only change a CUDA run
/// needs. CUDA cannot run here, and this libtorch build has no "meta" kernels for convolution or ReLU to run the
/// methods device-free, so the rule is checked in the source: every tensor factory call on the explanation path
/// names its device (the input's, the output's, or the model's).
/// </summary>
public sealed partial class DeviceTests
{
    [Fact]
    public void Should_name_the_device_of_every_tensor_the_explanation_path_creates()
    {
        var root = SourceRoot();
        var files = new[] { "Methods", "Engine", "Internal" }
            .SelectMany(folder => Directory.EnumerateFiles(Path.Combine(root, folder), "*.cs"))
            .ToList();
        Assert.True(files.Count > 20, $"found only {files.Count} source files under {root}");
        var missing = new List<string>();
        int factories = 0;
        foreach (var file in files)
        {
            var text = File.ReadAllText(file);
            foreach (Match match in FactoryCall().Matches(text))
            {
                factories++;
                int end = text.IndexOf(';', match.Index);
                var statement = text[match.Index..(end < 0 ? text.Length : end)];
                if (!statement.Contains("device", StringComparison.Ordinal))
                    missing.Add($"{Path.GetFileName(file)}:{text[..match.Index].Count(c => c == '\n') + 1}: {statement.Split('\n')[0].Trim()}");
            }
        }
        Assert.True(factories >= 8, $"only {factories} tensor factory calls found; is the pattern still right?");
        Assert.True(missing.Count == 0, "tensor created without naming a device:\n" + string.Join("\n", missing));
    }

    [Fact]
    public void Should_catch_a_factory_call_without_a_device()
    {
        Assert.Matches(FactoryCall(), "var t = tensor(new float[] { 1 });");
        Assert.Matches(FactoryCall(), "var e = eye(5, dtype: x.dtype);");
        Assert.DoesNotMatch(FactoryCall(), "var z = zeros_like(x);");
        Assert.DoesNotMatch(FactoryCall(), "var y = x.ones();");
    }

    private static string SourceRoot([System.Runtime.CompilerServices.CallerFilePath] string path = "")
    {
        for (var dir = new DirectoryInfo(Path.GetDirectoryName(path)!); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "src", "AutoTimm.Interpretation");
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException("src/AutoTimm.Interpretation not found above the test sources");
    }

    /// <summary>A call of a libtorch tensor factory (not a <c>_like</c> variant, not a method on a tensor).</summary>
    [GeneratedRegex(@"(?<![\w.])(tensor|zeros|ones|empty|full|randn|rand|randint|eye|arange|linspace)\(")]
    private static partial Regex FactoryCall();
}
