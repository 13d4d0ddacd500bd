using AutoTimm.Data;
using AutoTimm.Imaging;
using AutoTimm.Native;

namespace AutoTimm.Training;

/// <summary>
/// The data sets of a classification run: cluttered Fashion-MNIST canvases (train from the train split's first
/// 55,000 items, validation from its last 5,000, test from the test split with a fixed seed so every model is
/// measured on the same canvases) or an ImageFolder.
/// </summary>
/// <param name="Train">Training samples.</param>
/// <param name="Validation">Validation samples (the best epoch is chosen on them).</param>
/// <param name="Test">Test samples, measured once at the end.</param>
/// <param name="ClassNames">Class names in label order.</param>
/// <param name="Height">Sample height.</param>
/// <param name="Width">Sample width.</param>
/// <param name="Folder">The ImageFolder the three sets were split from (it counts the unreadable images), or null.</param>
/// <param name="CanvasItems">
/// For canvases, how many Fashion-MNIST train-split items the training canvases are drawn from (items 0 to this minus
/// 1; validation canvases come from the items after them); 0 otherwise.
/// </param>
public sealed record ClassificationData(IDataset Train, IDataset Validation, IDataset Test, IReadOnlyList<string> ClassNames, int Height, int Width,
    ImageFolderDataset? Folder = null, int CanvasItems = 0)
{
    /// <summary>Seed of the canvases every model is tested on.</summary>
    public const ulong TestCanvasSeed = 20261125;

    private const int ValidationItems = 5000;

    /// <summary>The cluttered test canvases (Fashion-MNIST test split, fixed seed).</summary>
    public static IDataset TestCanvases(string? dataDir, int size, int? count = null)
    {
        var mnist = FashionMnist.Load(dataDir);
        return new CanvasDataset(new ClutteredCanvasGenerator(mnist.Test, TestCanvasSeed, new ClutteredCanvasOptions { Size = size }), count);
    }

    /// <summary>Opens the data of a run.</summary>
    public static ClassificationData Open(TrainingRun run, PreprocessConfig preprocess)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(preprocess);
        if (run.Data == "canvas")
        {
            var mnist = FashionMnist.Load(run.DataDir);
            var options = new ClutteredCanvasOptions { Size = run.CanvasSize };
            int trainItems = mnist.Train.Count - ValidationItems;
            var trainSplit = mnist.Train.Slice("train-canvas", 0, trainItems);
            var valSplit = mnist.Train.Slice("validation-canvas", trainItems, ValidationItems);
            var train = new CanvasDataset(new ClutteredCanvasGenerator(trainSplit, (ulong)run.Seed, options), run.TrainSize ?? trainItems,
                freshEachEpoch: run.FreshCanvasesEachEpoch);
            var validation = new CanvasDataset(new ClutteredCanvasGenerator(valSplit, (ulong)run.Seed + 1, options), Math.Min(run.ValSize, ValidationItems));
            var test = new CanvasDataset(new ClutteredCanvasGenerator(mnist.Test, TestCanvasSeed, options));
            return new ClassificationData(train, validation, test, FashionMnist.ClassNames, run.CanvasSize, run.CanvasSize, CanvasItems: trainItems);
        }
        return SplitImageFolder(run.Data, preprocess, run.Seed, run.Log);
    }

    /// <summary>An ImageFolder split 80/10/10 (seeded) into train, validation and test.</summary>
    private static ClassificationData SplitImageFolder(string root, PreprocessConfig preprocess, long seed, Microsoft.Extensions.Logging.ILogger? log)
    {
        var all = OpenImageFolder(root, preprocess, log);
        // A seeded permutation (the same in every process, so a resumed run keeps its split).
        var order = Enumerable.Range(0, all.Count).ToArray();
        var rng = new SampleRandom((ulong)seed, 0, stream: 0x53504C4954UL);
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = rng.NextInt(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        int test = Math.Max(1, all.Count / 10), validation = Math.Max(1, all.Count / 10);
        if (all.Count - test - validation < 1) throw new InvalidDataException($"{root} has too few images ({all.Count}) to split into train, validation and test");
        return new ClassificationData(
            new SubsetDataset(all, order[(test + validation)..]),
            new SubsetDataset(all, order[test..(test + validation)]),
            new SubsetDataset(all, order[..test]),
            all.ClassNames, preprocess.Height, preprocess.Width, all);
    }

    /// <summary>
    /// Every image of an ImageFolder resized to the model's input size (pixels in [0,1], not normalized); unreadable
    /// images are skipped with a warning.
    /// </summary>
    public static ImageFolderDataset OpenImageFolder(string root, PreprocessConfig preprocess, Microsoft.Extensions.Logging.ILogger? log = null)
    {
        ArgumentNullException.ThrowIfNull(preprocess);
        var resize = new Preprocessor(preprocess with { CropPct = 1.0f });
        return new ImageFolderDataset(root, preprocess.Height, preprocess.Width, path =>
        {
            var image = resize.ResizeAndCrop(ImageIO.Load(path));
            using var tensor = image.ToTensor();
            return tensor.CopyToArray<float>();
        }, log);
    }

    private sealed class SubsetDataset(IDataset inner, int[] indices) : IDataset
    {
        public int Count => indices.Length;

        public LabeledImage Get(int index) => inner.Get(indices[index]);

        public LabeledImage Get(int index, int epoch) => inner.Get(indices[index], epoch);

        public LabeledImage? TryGet(int index, int epoch) => inner.TryGet(indices[index], epoch);
    }
}
