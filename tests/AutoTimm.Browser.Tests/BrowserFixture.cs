using Microsoft.Playwright;

namespace AutoTimm.Browser.Tests;

/// <summary>
/// Debian's Chromium (package <c>chromium</c>, installed by scripts/test.sh) driven by Playwright, launched once for
/// all the tests of the collection. Playwright's own browser downloads are never used.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    /// <summary>Debian installs the browser binary here, behind the /usr/bin/chromium wrapper script.</summary>
    private static readonly string[] Candidates = ["/usr/lib/chromium/chromium", "/usr/bin/chromium"];

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var executable = Candidates.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("Chromium is not installed: run the tests with scripts/test.sh, which installs Debian's chromium package");
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = executable, Headless = true });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}
