namespace AutoTimm.Browser.Tests;

/// <summary>A folder removed after the test; screenshots go to AUTOTIMM_SCREENSHOT_DIR when it is set, to look at.</summary>
internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("autotimm-browser-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Where a screenshot named <paramref name="name"/> goes.</summary>
    public string Screenshot(string name) =>
        Environment.GetEnvironmentVariable("AUTOTIMM_SCREENSHOT_DIR") is { Length: > 0 } dir
            ? System.IO.Path.Combine(Directory.CreateDirectory(dir).FullName, name)
            : File(name);

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
