using System.Runtime.InteropServices;

namespace AutoTimm.Native;

/// <summary>
/// The process environment as native libraries see it. <c>Environment.SetEnvironmentVariable</c> does not change it
/// on Unix, and libtorch and oneDNN read their settings from it.
/// </summary>
internal static partial class NativeEnvironment
{
    /// <summary>A variable's value, or null.</summary>
    public static string? Get(string name) => Marshal.PtrToStringUTF8(GetEnv(name));

    /// <summary>Sets a variable unless it is set already; true when it holds <paramref name="value"/> afterwards.</summary>
    public static bool Set(string name, string value)
    {
        try
        {
            if (Get(name) is { } existing) return existing == value;
            return SetEnv(name, value, 0) == 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "getenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr GetEnv(string name);

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);
}
