using System.Collections.Concurrent;
using TorchSharp;

namespace AutoTimm.Data;

/// <summary>
/// Batches an <see cref="IDataset"/> into tensors, producing samples on a background worker while the consumer
/// computes.
/// </summary>
/// <remarks>
/// The worker fills managed arrays up to <see cref="DataLoaderOptions.Prefetch"/> batches ahead (a bounded queue);
/// tensors are created on the consuming thread, where TorchSharp's dispose scopes and grad mode live. Shuffling
/// draws a permutation from (seed, epoch), so every epoch visits each index exactly once in a reproducible order.
/// An exception of the dataset reaches the consumer as a <see cref="DataLoaderException"/> at the batch it broke;
/// cancellation reaches it as <see cref="OperationCanceledException"/>. Leaving the enumeration early stops the worker.
/// Samples are read through <see cref="IDataset.TryGet"/>: one the dataset cannot read is left out of its batch (so a
/// batch can be smaller than <see cref="DataLoaderOptions.BatchSize"/>, and a batch of only unreadable samples is not
/// produced at all).
/// </remarks>
public sealed class DataLoader
{
    private readonly ConcurrentBag<float[]> _buffers = [];

    /// <summary>Creates a loader.</summary>
    /// <param name="dataset">Samples to batch; all must have the same size.</param>
    /// <param name="options">Batching options; null for the defaults.</param>
    public DataLoader(IDataset dataset, DataLoaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        options ??= new DataLoaderOptions();
        options.Validate();
        Dataset = dataset;
        Options = options;
    }

    /// <summary>The dataset.</summary>
    public IDataset Dataset { get; }

    /// <summary>The options.</summary>
    public DataLoaderOptions Options { get; }

    /// <summary>Number of batches in one epoch: an upper bound when the dataset skips unreadable samples (a batch of only unreadable samples is not produced).</summary>
    public int BatchCount => Options.DropLast
        ? Dataset.Count / Options.BatchSize
        : (Dataset.Count + Options.BatchSize - 1) / Options.BatchSize;

    /// <summary>The order in which an epoch visits the dataset (a permutation; the identity without shuffling).</summary>
    /// <param name="epoch">Epoch number, non-negative.</param>
    public int[] Order(int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        var order = Enumerable.Range(0, Dataset.Count).ToArray();
        if (!Options.Shuffle) return order;
        var rng = new SampleRandom(Options.Seed, (ulong)epoch, stream: 0x5348554646UL);
        for (var i = order.Length - 1; i > 0; i--)
        {
            var j = rng.NextInt(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    /// <summary>The batches of one epoch, produced ahead on a background worker.</summary>
    /// <param name="epoch">Epoch number, non-negative (selects the shuffle order).</param>
    /// <param name="cancellationToken">Stops the worker and the enumeration.</param>
    public IEnumerable<Batch> Epoch(int epoch, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        return Run(epoch, cancellationToken);
    }

    private IEnumerable<Batch> Run(int epoch, CancellationToken cancellationToken)
    {
        var order = Order(epoch);
        var batches = BatchCount;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var queue = new BlockingCollection<HostBatch>(Options.Prefetch);
        Exception? failure = null;
        var worker = Task.Factory.StartNew(() =>
        {
            try
            {
                for (var b = 0; b < batches; b++)
                {
                    var start = b * Options.BatchSize;
                    var indices = order.AsSpan(start, Math.Min(Options.BatchSize, order.Length - start)).ToArray();
                    var host = Produce(indices, b, epoch, stop.Token);
                    if (host is not null) queue.Add(host, stop.Token);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                failure = e;
            }
            finally
            {
                queue.CompleteAdding();
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        try
        {
            foreach (var host in queue.GetConsumingEnumerable(cancellationToken))
            {
                yield return ToBatch(host, epoch);
            }
            cancellationToken.ThrowIfCancellationRequested();
            worker.Wait(CancellationToken.None);
            if (failure is not null)
            {
                throw failure as DataLoaderException
                      ?? new DataLoaderException($"The data loader worker failed in epoch {epoch}: {failure.Message}", -1, failure);
            }
        }
        finally
        {
            stop.Cancel();
            // The worker stops at its next Add or sample; wait so it never touches the disposed queue.
            try
            {
                worker.Wait(CancellationToken.None);
            }
            catch (AggregateException)
            {
            }
            while (queue.TryTake(out var left)) Return(left.Pixels);
        }
    }

    /// <summary>Reads one batch; null when every sample of it was unreadable.</summary>
    private HostBatch? Produce(int[] indices, int slot, int epoch, CancellationToken token)
    {
        var samples = new LabeledImage?[indices.Length];
        void Load(int k)
        {
            token.ThrowIfCancellationRequested();
            try
            {
                samples[k] = Dataset.TryGet(indices[k], epoch);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                throw new DataLoaderException(
                    $"Sample {indices[k]} of {Dataset.GetType().Name} failed in epoch {epoch}: {e.Message}", indices[k], e);
            }
        }

        if (Options.Workers == 1)
        {
            for (var k = 0; k < indices.Length; k++) Load(k);
        }
        else
        {
            try
            {
                Parallel.For(0, indices.Length,
                    new ParallelOptions { MaxDegreeOfParallelism = Options.Workers, CancellationToken = token }, Load);
            }
            catch (AggregateException e)
            {
                // Report the failure of the earliest sample, as a single worker would.
                throw e.InnerExceptions.OfType<DataLoaderException>()
                    .OrderBy(x => Array.IndexOf(indices, x.Index)).FirstOrDefault() ?? e.InnerExceptions[0];
            }
        }

        // Unreadable samples (null) are left out of the batch; the dataset has reported them.
        var kept = Enumerable.Range(0, indices.Length).Where(k => samples[k] is not null).ToArray();
        if (kept.Length == 0) return null;
        var first = samples[kept[0]]!;
        var (h, w) = (first.Height, first.Width);
        var plane = 3 * h * w;
        var pixels = Rent(kept.Length * plane);
        var labels = new long[kept.Length];
        var keptIndices = new int[kept.Length];
        for (var j = 0; j < kept.Length; j++)
        {
            var s = samples[kept[j]]!;
            keptIndices[j] = indices[kept[j]];
            if (s.Height != h || s.Width != w)
            {
                Return(pixels);
                throw new DataLoaderException(
                    $"Sample {keptIndices[j]} is {s.Height}x{s.Width} but sample {keptIndices[0]} of the same batch is {h}x{w}; a batch needs one size.",
                    keptIndices[j], null);
            }
            s.Pixels.AsSpan().CopyTo(pixels.AsSpan(j * plane, plane));
            labels[j] = s.Label;
        }
        return new HostBatch(pixels, labels, keptIndices, h, w, slot);
    }

    private Batch ToBatch(HostBatch host, int epoch)
    {
        var n = host.Indices.Length;
        try
        {
            var images = torch.tensor(host.Pixels, [n, 3, host.Height, host.Width]);
            var labels = torch.tensor(host.Labels, [n]);
            return new Batch(images, labels, host.Indices, epoch, host.Slot);
        }
        finally
        {
            Return(host.Pixels);
        }
    }

    /// <summary>
    /// Batch buffers are reused. Most batches have one size; the last of an epoch, or one that lost unreadable samples,
    /// can be shorter, so a buffer of another length goes back to the pool rather than being dropped.
    /// </summary>
    private float[] Rent(int length)
    {
        List<float[]>? other = null;
        float[]? found = null;
        while (found is null && _buffers.TryTake(out var buffer))
        {
            if (buffer.Length == length) found = buffer;
            else (other ??= []).Add(buffer);
        }
        if (other is not null)
        {
            foreach (var buffer in other) _buffers.Add(buffer);
        }
        return found ?? new float[length];
    }

    private void Return(float[] buffer)
    {
        if (_buffers.Count < Options.Prefetch + 2) _buffers.Add(buffer);
    }

    // Slot: the batch's position in the epoch's order, kept when an earlier batch was not produced.
    private sealed record HostBatch(float[] Pixels, long[] Labels, int[] Indices, int Height, int Width, int Slot);
}
