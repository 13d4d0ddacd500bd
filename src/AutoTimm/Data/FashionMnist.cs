namespace AutoTimm.Data;

/// <summary>
/// The Fashion-MNIST dataset (Xiao et al. 2017): 70,000 grayscale 28x28 clothing items in 10 classes, read from its
/// four IDX files (raw or gzip-compressed).
/// </summary>
/// <remarks>
/// The data directory is, in order: the explicit <c>dataDir</c> argument, the <c>AUTOTIMM_DATA_DIR</c> environment
/// variable, then the Debian package location (<c>/usr/share/datasets/fashion-mnist</c>, from
/// <c>apt-get install dataset-fashion-mnist</c>). A directory that holds a <c>fashion-mnist</c> subdirectory is
/// accepted too.
/// </remarks>
public sealed class FashionMnist
{
    /// <summary>Environment variable naming the data directory when none is given explicitly.</summary>
    public const string DataDirEnvironmentVariable = "AUTOTIMM_DATA_DIR";

    /// <summary>Where the Debian package <c>dataset-fashion-mnist</c> installs the IDX files.</summary>
    public const string DebianDataDir = "/usr/share/datasets/fashion-mnist";

    /// <summary>Base names of the four IDX files; each may also carry a <c>.gz</c> suffix.</summary>
    public static IReadOnlyList<string> FileNames { get; } =
    [
        "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte",
    ];

    /// <summary>Class names in label order (0-9).</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
    [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ];

    private FashionMnist(string directory, FashionMnistSplit train, FashionMnistSplit test)
    {
        Directory = directory;
        Train = train;
        Test = test;
    }

    /// <summary>The directory the files were read from.</summary>
    public string Directory { get; }

    /// <summary>The training split (60,000 items in the real dataset).</summary>
    public FashionMnistSplit Train { get; }

    /// <summary>The test split (10,000 items in the real dataset).</summary>
    public FashionMnistSplit Test { get; }

    /// <summary>Locates and reads both splits.</summary>
    /// <param name="dataDir">Directory holding the four IDX files; null to use the environment variable or the Debian location.</param>
    /// <returns>The dataset.</returns>
    /// <exception cref="DatasetNotFoundException">The files are not where they were looked for.</exception>
    /// <exception cref="InvalidDataException">A file is not a valid IDX file, is truncated, or the counts disagree.</exception>
    public static FashionMnist Load(string? dataDir = null)
    {
        var directory = Locate(dataDir);
        var train = ReadSplit(directory, "train", "train");
        var test = ReadSplit(directory, "test", "t10k");
        return new FashionMnist(directory, train, test);
    }

    /// <summary>Finds the directory holding the four IDX files.</summary>
    /// <param name="dataDir">Explicit directory; null to use the environment variable or the Debian location.</param>
    /// <returns>The directory's full path.</returns>
    /// <exception cref="DatasetNotFoundException">No candidate directory holds all four files.</exception>
    public static string Locate(string? dataDir = null)
    {
        string source;
        string root;
        if (!string.IsNullOrWhiteSpace(dataDir))
        {
            (source, root) = ("the data directory given", dataDir);
        }
        else if (Environment.GetEnvironmentVariable(DataDirEnvironmentVariable) is { Length: > 0 } fromEnvironment)
        {
            (source, root) = ($"{DataDirEnvironmentVariable}", fromEnvironment);
        }
        else
        {
            (source, root) = ("the Debian package location", DebianDataDir);
        }

        var tried = new List<string>();
        foreach (var candidate in new[] { root, Path.Combine(root, "fashion-mnist") })
        {
            var full = Path.GetFullPath(candidate);
            tried.Add(full);
            if (FileNames.All(name => FindFile(full, name) is not null)) return full;
        }

        var missing = System.IO.Directory.Exists(tried[0])
            ? string.Join(", ", FileNames.Where(name => FindFile(tried[0], name) is null).Select(n => n + "[.gz]"))
            : "the directory does not exist";
        throw new DatasetNotFoundException(
            $"Fashion-MNIST was not found in {source} ({string.Join(" or ", tried)}; missing: {missing}). "
            + "Install it with `apt-get install dataset-fashion-mnist` (or `bash scripts/install-data.sh`), "
            + $"or point --data-dir (or {DataDirEnvironmentVariable}) at a directory holding the four IDX files "
            + $"{string.Join(", ", FileNames)} (raw or .gz).");
    }

    private static FashionMnistSplit ReadSplit(string directory, string name, string prefix)
    {
        var imagesPath = FindFile(directory, $"{prefix}-images-idx3-ubyte")!;
        var labelsPath = FindFile(directory, $"{prefix}-labels-idx1-ubyte")!;
        var (imageShape, pixels) = IdxFile.ReadBytes(imagesPath, 3);
        var (labelShape, labels) = IdxFile.ReadBytes(labelsPath, 1);
        if (imageShape[0] != labelShape[0])
            throw new InvalidDataException(
                $"Fashion-MNIST {name} split: {imagesPath} holds {imageShape[0]} images but {labelsPath} holds {labelShape[0]} labels.");
        if (imageShape[1] != 28 || imageShape[2] != 28)
            throw new InvalidDataException(
                $"Fashion-MNIST {name} split: {imagesPath} holds {imageShape[1]}x{imageShape[2]} images, expected 28x28.");
        for (var i = 0; i < labels.Length; i++)
        {
            if (labels[i] >= ClassNames.Count)
                throw new InvalidDataException($"Fashion-MNIST {name} split: {labelsPath} has label {labels[i]} at item {i}; classes are 0-9.");
        }
        if (labels.Length == 0)
            throw new InvalidDataException($"Fashion-MNIST {name} split: {labelsPath} holds no items.");
        return new FashionMnistSplit(name, pixels, labels, imageShape[1], imageShape[2]);
    }

    private static string? FindFile(string directory, string baseName)
    {
        // The original distribution names files "train-images-idx3-ubyte"; some mirrors use "train-images.idx3-ubyte".
        var dotted = baseName.Replace("-idx", ".idx", StringComparison.Ordinal);
        foreach (var name in new[] { baseName, baseName + ".gz", dotted, dotted + ".gz" })
        {
            var path = Path.Combine(directory, name);
            if (File.Exists(path)) return path;
        }
        return null;
    }
}
