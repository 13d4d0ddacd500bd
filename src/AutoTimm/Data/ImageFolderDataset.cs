using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using System.Collections.Concurrent;

namespace AutoTimm.Data;

/// <summary>
/// Images stored one folder per class (<c>root/&lt;class&gt;/&lt;image&gt;</c>, as torchvision's ImageFolder): class
/// names are the folder names in ordinal order, labels their positions; files are png, jpg, jpeg, bmp or webp
/// (any case), in ordinal order of their relative paths.
/// </summary>
/// <remarks>
/// Decoding is a delegate that turns a path into channel-major RGB floats [3, Height, Width] in [0,1], already at the
/// dataset's size. An image that cannot be read is skipped, not fatal: a warning is reported once, it is counted in
/// <see cref="SkippedCount"/>, and <see cref="TryGet"/> returns null for it, so the <see cref="DataLoader"/> leaves it
/// out of its batch: a long run never stops for one bad file, and an evaluation counts every readable image once.
/// <see cref="Get"/>, which must return a sample, throws for it instead.
/// </remarks>
public sealed class ImageFolderDataset : IDataset
{
    /// <summary>File extensions recognised as images (lower case, with the dot).</summary>
    public static IReadOnlyList<string> Extensions { get; } = [".png", ".jpg", ".jpeg", ".bmp", ".webp"];

    private readonly (string Path, int Label)[] _files;
    private readonly Func<string, float[]> _decode;
    private readonly ILogger _log;
    private readonly ConcurrentDictionary<int, string> _skipped = new();

    /// <summary>Scans the folder tree.</summary>
    /// <param name="root">Folder holding one subfolder per class.</param>
    /// <param name="height">Height every decoded image has.</param>
    /// <param name="width">Width every decoded image has.</param>
    /// <param name="decode">Reads a file into [3, height, width] floats in [0,1]; throws when it cannot.</param>
    /// <param name="log">Receives a warning per skipped image, possibly from several loader threads at once; silent when null.</param>
    /// <exception cref="DirectoryNotFoundException">The root does not exist.</exception>
    /// <exception cref="InvalidDataException">The root has no class folders, or a class folder has no images.</exception>
    public ImageFolderDataset(string root, int height, int width, Func<string, float[]> decode, ILogger? log = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentNullException.ThrowIfNull(decode);
        var full = Path.GetFullPath(root);
        if (!Directory.Exists(full)) throw new DirectoryNotFoundException($"Image folder {full} does not exist.");

        var classDirs = Directory.GetDirectories(full).OrderBy(d => Path.GetFileName(d), StringComparer.Ordinal).ToArray();
        if (classDirs.Length == 0)
            throw new InvalidDataException($"Image folder {full} has no class subfolders (expected {full}/<class>/<image>).");
        var files = new List<(string, int)>();
        for (var label = 0; label < classDirs.Length; label++)
        {
            var images = Directory.EnumerateFiles(classDirs[label], "*", SearchOption.AllDirectories)
                .Where(IsImage)
                .OrderBy(f => Path.GetRelativePath(classDirs[label], f), StringComparer.Ordinal)
                .ToArray();
            if (images.Length == 0)
                throw new InvalidDataException(
                    $"Class folder {classDirs[label]} has no images ({string.Join(", ", Extensions)}); remove it or add images.");
            files.AddRange(images.Select(f => (f, label)));
        }

        Root = full;
        Height = height;
        Width = width;
        ClassNames = classDirs.Select(d => Path.GetFileName(d)!).ToArray();
        _files = files.ToArray();
        _decode = decode;
        _log = log ?? NullLogger.Instance;
    }

    /// <summary>The root folder (full path).</summary>
    public string Root { get; }

    /// <summary>Class names (folder names) in label order.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Image height.</summary>
    public int Height { get; }

    /// <summary>Image width.</summary>
    public int Width { get; }

    /// <inheritdoc/>
    public int Count => _files.Length;

    /// <summary>Number of distinct images found unreadable so far.</summary>
    public int SkippedCount => _skipped.Count;

    /// <summary>The images found unreadable so far, with the reason.</summary>
    public IReadOnlyDictionary<string, string> SkippedFiles => _skipped.ToDictionary(kv => _files[kv.Key].Path, kv => kv.Value);

    /// <summary>Path of an image.</summary>
    /// <param name="index">Image index.</param>
    public string PathOf(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return _files[index].Path;
    }

    /// <summary>Label of an image, known without decoding it.</summary>
    /// <param name="index">Image index.</param>
    public int LabelOf(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return _files[index].Label;
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidDataException">The image cannot be read (it is also counted as skipped).</exception>
    public LabeledImage Get(int index) =>
        TryGet(index, 0) ?? throw new InvalidDataException($"Image {_files[index].Path} cannot be read: {_skipped[index]}");

    /// <inheritdoc/>
    public LabeledImage? TryGet(int index, int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        if (_skipped.ContainsKey(index)) return null;
        var pixels = TryDecode(index);
        return pixels is null ? null : new LabeledImage(pixels, Height, Width, _files[index].Label);
    }

    private float[]? TryDecode(int i)
    {
        var path = _files[i].Path;
        string reason;
        try
        {
            var pixels = _decode(path);
            if (pixels is not null && pixels.Length == 3 * Height * Width) return pixels;
            reason = $"decoded to {pixels?.Length ?? 0} values, expected 3x{Height}x{Width}";
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            reason = $"{e.GetType().Name}: {e.Message}";
        }
        if (_skipped.TryAdd(i, reason))
            _log.LogWarning("skipping unreadable image {Path} ({Reason}); {Skipped} skipped so far", path, reason, _skipped.Count);
        return null;
    }

    private static bool IsImage(string path) =>
        Extensions.Contains(Path.GetExtension(path).ToLowerInvariant());
}
