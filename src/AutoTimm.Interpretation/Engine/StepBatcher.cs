using AutoTimm.Native;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Engine;

/// <summary>
/// The one loop behind every method that evaluates many variants of each image (Integrated Gradients' path points,
/// SmoothGrad's noisy copies, perturbation metrics): N images x K steps become N*K rows, image-major, evaluated in
/// chunks of at most <c>maxRows</c> rows, and each row's result is summed into its image. Whatever a chunk builds
/// (path points, noise) is built for that chunk only and freed with it, so memory is bounded by the chunk size, not
/// by the request.
/// </summary>
internal static class StepBatcher
{

    /// <summary>
    /// Sums <paramref name="evaluate"/>'s per-row results <c>[rows, ...]</c> over the steps of each image:
    /// <c>[images, ...]</c>.
    /// </summary>
    public static Tensor SumOverSteps(int images, int steps, int maxRows, Func<StepRows, Tensor> evaluate)
    {
        Tensor? total = null;
        ForEachChunk(images, steps, maxRows, evaluate, (rows, perRow) =>
        {
            var index = tensor(rows.Images.Select(i => (long)i).ToArray(), device: perRow.device);
            var sum = total ?? zeros([images, .. perRow.shape.Skip(1)], dtype: perRow.dtype, device: perRow.device);
            total = sum.index_add(0, index, perRow, Scalars.One).MoveToOuterDisposeScope();
            if (!ReferenceEquals(sum, total)) sum.Dispose();
        });
        return total!;
    }

    /// <summary>
    /// Keeps every row's result <c>[rows, ...]</c> (perturbation curves need each step, not their sum), as float64 on
    /// the CPU: <c>[images, steps, ...]</c>. Only the results are kept; the rows' inputs are freed chunk by chunk.
    /// </summary>
    public static Tensor CollectSteps(int images, int steps, int maxRows, Func<StepRows, Tensor> evaluate)
    {
        var parts = new List<Tensor>();
        ForEachChunk(images, steps, maxRows, evaluate, (_, perRow) => parts.Add(perRow.detach().to(ScalarType.Float64, CPU).MoveToOuterDisposeScope()));
        using var all = cat(parts, 0);
        foreach (var part in parts) part.Dispose();
        return all.reshape([images, steps, .. all.shape.Skip(1)]);
    }

    private static void ForEachChunk(int images, int steps, int maxRows, Func<StepRows, Tensor> evaluate, Action<StepRows, Tensor> consume)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(images, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRows, 1);
        ArgumentNullException.ThrowIfNull(evaluate);
        if ((long)images * steps > int.MaxValue)
            throw new ArgumentException($"{images} images x {steps} steps are {(long)images * steps:N0} rows, over the {int.MaxValue:N0} one call can hold; explain fewer images per call or use fewer steps");
        foreach (var (start, count) in Chunks.Of(images * steps, maxRows))
        {
            using var scope = NewDisposeScope();
            var rows = new StepRows(start, count, steps);
            var perRow = evaluate(rows);
            if (perRow.shape[0] != count) throw new InvalidOperationException($"a chunk of {count} rows produced {perRow.shape[0]} results");
            consume(rows, perRow);
        }
    }
}

/// <summary>A chunk of rows of the step batcher: row <c>r</c> is step <c>r % steps</c> of image <c>r / steps</c>.</summary>
internal readonly record struct StepRows(int Start, int Count, int Steps)
{
    /// <summary>The image of each row.</summary>
    public int[] Images
    {
        get
        {
            int steps = Steps;
            return Enumerable.Range(Start, Count).Select(r => r / steps).ToArray();
        }
    }

    /// <summary>The step of each row.</summary>
    public int[] StepIndices
    {
        get
        {
            int steps = Steps;
            return Enumerable.Range(Start, Count).Select(r => r % steps).ToArray();
        }
    }
}
