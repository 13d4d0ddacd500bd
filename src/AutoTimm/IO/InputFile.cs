using System.Globalization;
using System.Runtime.InteropServices;

namespace AutoTimm;

/// <summary>
/// The one way input files (images, arrays, checkpoints) are opened: the path must name a regular file, checked by
/// type before opening (a FIFO would block the open, a device such as <c>/dev/zero</c> never ends), and a read is
/// bounded by <see cref="MaxBytes"/> whatever size the file claims (files under <c>/proc</c> claim 0). Every error names
/// the file, what it was read as, and the limit.
/// </summary>
public static class InputFile
{
    /// <summary>Environment variable that sets <see cref="MaxBytes"/> (bytes).</summary>
    public const string MaxBytesVariable = "AUTOTIMM_MAX_INPUT_BYTES";

    /// <summary>Largest image or array file read into memory: 512 MiB unless <see cref="MaxBytesVariable"/> says otherwise.</summary>
    public static long MaxBytes { get; set; } = FromEnvironment() ?? 512L << 20;

    /// <summary>Checks that <paramref name="path"/> names an existing regular file (symbolic links followed) and returns its length.</summary>
    /// <param name="path">The path.</param>
    /// <param name="what">What the file is read as, for messages ("image", "checkpoint").</param>
    /// <exception cref="ArgumentException">No path given.</exception>
    /// <exception cref="FileNotFoundException">Missing, a directory, or not a regular file.</exception>
    public static long Check(string? path, string what)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new ArgumentException($"no {what} file given: the path is empty");
        if (Directory.Exists(path)) throw new FileNotFoundException($"{what} path {path} is a directory, not a file", path);
        if (!File.Exists(path)) throw new FileNotFoundException($"{what} file not found: {path}", path);
        if (KindOf(path) is { } kind && kind != "regular file")
            throw new FileNotFoundException($"{what} path {path} is a {kind}, not a regular file", path);
        return new FileInfo(path).Length;
    }

    /// <summary>Reads a whole input file after <see cref="Check"/>, refusing more than <paramref name="maxBytes"/> (default <see cref="MaxBytes"/>).</summary>
    /// <exception cref="InvalidDataException">The file holds more than the limit.</exception>
    public static byte[] ReadAllBytes(string? path, string what, long? maxBytes = null)
    {
        long limit = maxBytes ?? MaxBytes;
        long length = Check(path, what);
        if (length > limit) throw TooLarge(path!, what, length, limit);
        using var stream = new FileStream(path!, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        using var buffer = new MemoryStream(length > 0 ? (int)length : 1 << 16);
        var chunk = new byte[1 << 16];
        int read;
        while ((read = stream.Read(chunk)) > 0)
        {
            // The claimed length can lie (/proc, a file growing while read): the limit holds for what is actually read.
            if (buffer.Length + read > limit) throw TooLarge(path!, what, buffer.Length + read, limit, atLeast: true);
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    /// <summary>Opens an input file for reading after <see cref="Check"/> (no size limit: checkpoints are as large as their models).</summary>
    public static FileStream OpenRead(string? path, string what)
    {
        Check(path, what);
        return new FileStream(path!, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
    }

    private static InvalidDataException TooLarge(string path, string what, long size, long limit, bool atLeast = false) => new(
        string.Create(CultureInfo.InvariantCulture,
            $"{what} file {path} is {(atLeast ? "at least " : "")}{size:N0} bytes, over the {limit:N0}-byte limit for input files; set {MaxBytesVariable} to allow more"));

    private static long? FromEnvironment()
    {
        var text = Environment.GetEnvironmentVariable(MaxBytesVariable);
        if (string.IsNullOrWhiteSpace(text)) return null;
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new ArgumentException($"{MaxBytesVariable}={text} is not a positive number of bytes");
    }

    /// <summary>The file type from <c>stat</c> (links followed), or null where it cannot be asked (not Linux x64).</summary>
    private static string? KindOf(string path)
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64) return null;
        // struct stat on x86-64 Linux is 144 bytes; st_mode is the 32-bit field at offset 24.
        var buffer = new byte[256];
        try
        {
            if (Stat(path, buffer) != 0) return null;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return null;
        }
        int type = BitConverter.ToInt32(buffer, 24) & 0xF000;
        return type switch
        {
            0x8000 => "regular file",
            0x4000 => "directory",
            0x2000 => "character device",
            0x6000 => "block device",
            0x1000 => "FIFO (named pipe)",
            0xC000 => "socket",
            _ => "special file",
        };
    }

    [DllImport("libc", EntryPoint = "stat", SetLastError = true)]
    private static extern int Stat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, byte[] buffer);
}
