using System.Runtime.CompilerServices;
using AutoTimm.Native;

namespace AutoTimm.Tests.Fixtures;

/// <summary>
/// Loads libtorch (repairing TorchSharp's glue for this host) when the test assembly loads. Tests call TorchSharp
/// directly, and the first test to run is any test: one that touched TorchSharp before any AutoTimm type would load
/// the glue unrepaired, fail, and leave TorchSharp unusable for every test after it.
/// </summary>
internal static class NativeRuntimeLoader
{
#pragma warning disable CA2255 // A test assembly is an application's entry as far as its natives go.
    [ModuleInitializer]
    internal static void Load() => TorchRuntime.EnsureLoaded();
#pragma warning restore CA2255
}
