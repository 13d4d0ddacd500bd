using System.Reflection;

namespace AutoTimm.Native;

/// <summary>Where TorchSharp looks for its native libraries.</summary>
internal static class NativeFiles
{
    /// <summary>Every copy of <paramref name="fileName"/> TorchSharp may load: next to its assembly or the app, in runtimes/, in cpu/.</summary>
    public static List<string> Find(Assembly torchSharp, string fileName)
    {
        var roots = new[] { Path.GetDirectoryName(torchSharp.Location), AppContext.BaseDirectory }
            .Where(d => !string.IsNullOrEmpty(d)).Select(d => Path.GetFullPath(d!));
        var found = new List<string>();
        foreach (var root in roots)
        {
            foreach (var sub in new[] { "", Path.Combine("runtimes", "linux-x64", "native"), "cpu" })
            {
                var path = Path.Combine(root, sub, fileName);
                if (File.Exists(path) && !found.Contains(path)) found.Add(path);
            }
        }
        return found;
    }
}
