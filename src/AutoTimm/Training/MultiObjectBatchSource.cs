using AutoTimm.Data;
using AutoTimm.Imaging;
using AutoTimm.Models;
using static TorchSharp.torch;

namespace AutoTimm.Training;

/// <summary>
/// Batches of multi-object canvases for detection (targets: boxes <c>[N, M, 5]</c>, class -1 marking padding) or
/// segmentation (targets: class masks <c>[N, H, W]</c>, 0 = background, class + 1 for objects). Canvases are drawn
/// on worker threads one batch ahead of the consumer; with <paramref name="freshEachEpoch"/> every epoch draws new
/// canvases (canvas <c>index + epoch * count</c>), otherwise every epoch shows the same ones.
/// </summary>
public sealed class MultiObjectBatchSource(MultiObjectCanvasGenerator generator, int count, int batchSize, ModelTask task, PreprocessConfig preprocess,
    bool freshEachEpoch = false) : IBatchSource
{
    private readonly Preprocessor _preprocessor = new(preprocess);

    /// <summary>The canvases' generator.</summary>
    public MultiObjectCanvasGenerator Generator { get; } = generator ?? throw new ArgumentNullException(nameof(generator));

    /// <summary>Canvases per epoch.</summary>
    public int Count { get; } = count > 0 ? count : throw new ArgumentOutOfRangeException(nameof(count), count, "at least one canvas");

    /// <inheritdoc/>
    public int BatchesPerEpoch => (Count + batchSize - 1) / batchSize;

    /// <summary>The ground truth of canvas <paramref name="index"/> of <paramref name="epoch"/>.</summary>
    public MultiObjectCanvas Canvas(int index, int epoch = 0) => Generator.Generate(index + (freshEachEpoch ? (long)epoch * Count : 0));

    /// <inheritdoc/>
    public IEnumerable<TrainingBatch> Batches(int epoch)
    {
        if (task is not (ModelTask.ObjectDetector or ModelTask.SemanticSegmentor))
            throw new ArgumentException($"multi-object canvases train detectors and segmenters, not a {task}");
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        Task<MultiObjectCanvas[]>? next = Draw(0, epoch);
        for (int b = 0; b < BatchesPerEpoch; b++)
        {
            var canvases = next!.GetAwaiter().GetResult();
            next = b + 1 < BatchesPerEpoch ? Draw(b + 1, epoch) : null;
            yield return ToBatch(canvases);
        }
    }

    private Task<MultiObjectCanvas[]> Draw(int batch, int epoch) => Task.Run(() =>
    {
        int start = batch * batchSize, n = Math.Min(batchSize, Count - start);
        var canvases = new MultiObjectCanvas[n];
        Parallel.For(0, n, i => canvases[i] = Canvas(start + i, epoch));
        return canvases;
    });

    private TrainingBatch ToBatch(MultiObjectCanvas[] canvases)
    {
        int n = canvases.Length, size = Generator.Options.Size, plane = 3 * size * size;
        var pixels = new float[n * plane];
        for (int i = 0; i < n; i++) canvases[i].Image.CopyTo(pixels, i * plane);
        using var scope = NewDisposeScope();
        var images = _preprocessor.Normalize(tensor(pixels, [n, 3, size, size]));
        Tensor targets;
        if (task == ModelTask.ObjectDetector)
        {
            int m = Generator.Options.MaxObjects;
            var boxes = new float[n * m * 5];
            Array.Fill(boxes, -1f);
            for (int i = 0; i < n; i++)
            {
                var objects = canvases[i].Objects;
                for (int j = 0; j < objects.Count; j++)
                {
                    var o = (i * m + j) * 5;
                    var box = objects[j].Box;
                    (boxes[o], boxes[o + 1], boxes[o + 2], boxes[o + 3], boxes[o + 4]) = (box.X0, box.Y0, box.X1, box.Y1, objects[j].Label);
                }
            }
            targets = tensor(boxes, [n, m, 5]);
        }
        else
        {
            var masks = new long[n * size * size];
            for (int i = 0; i < n; i++)
            {
                var mask = canvases[i].ClassMask;
                for (int p = 0; p < mask.Length; p++) masks[i * size * size + p] = mask[p];
            }
            targets = tensor(masks, [n, size, size]);
        }
        return new TrainingBatch(images.MoveToOuterDisposeScope(), targets.MoveToOuterDisposeScope());
    }
}
