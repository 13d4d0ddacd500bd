using AutoTimm.Native;

/// <summary>
/// The .NET startup hook of the oneDNN probe's child process (<see cref="OneDnnProbe"/>). The runtime calls it before
/// the program's <c>Main</c> when <c>DOTNET_STARTUP_HOOKS</c> names this assembly; it does nothing unless the probe
/// variable is set, and otherwise measures, prints and exits, so <c>Main</c> never runs in the child.
/// </summary>
internal static class StartupHook
{
    /// <summary>Called by the runtime.</summary>
    public static void Initialize()
    {
        if (Environment.GetEnvironmentVariable(OneDnnProbe.ChildVariable) is { Length: > 0 }) OneDnnProbe.RunAsChild();
    }
}
