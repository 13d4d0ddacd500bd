using AutoTimm.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoTimm.Tests.Data;

public sealed class DataLoaderTests
{
    /// <summary>Sample i: 2x2 pixels whose values encode i and the position; label i mod 7.</summary>
    private sealed class NumberedDataset(int count, Func<int, LabeledImage?>? hook = null) : IDataset
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public int Count => count;

        public LabeledImage Get(int index)
        {
            Interlocked.Increment(ref _calls);
            if (hook?.Invoke(index) is { } replaced) return replaced;
            return new LabeledImage(Enumerable.Range(0, 12).Select(k => index + k / 100f).ToArray(), 2, 2, index % 7);
        }
    }

    /// <summary>Sample i in epoch e: every pixel is 100 e + i.</summary>
    private sealed class EpochDataset(int count) : IDataset
    {
        public int Count => count;

        public LabeledImage Get(int index) => Get(index, 0);

        public LabeledImage Get(int index, int epoch) => new(Enumerable.Repeat(100f * epoch + index, 12).ToArray(), 2, 2, index % 3);
    }

    [Fact]
    public void Should_ask_the_dataset_for_each_sample_as_seen_in_the_current_epoch()
    {
        var loader = new DataLoader(new EpochDataset(6), new DataLoaderOptions { BatchSize = 4, Shuffle = false });
        using var scope = NewDisposeScope();

        var epoch2 = loader.Epoch(2).Select(b => b.Images[.., 0, 0, 0].data<float>().ToArray()).SelectMany(v => v).ToArray();

        Assert.Equal(new float[] { 200, 201, 202, 203, 204, 205 }, epoch2);
    }

    [Fact]
    public void Should_yield_every_index_exactly_once_per_epoch_when_shuffling()
    {
        var loader = new DataLoader(new NumberedDataset(103), new DataLoaderOptions { BatchSize = 10, Seed = 3 });
        using var scope = NewDisposeScope();

        var epoch0 = loader.Epoch(0).SelectMany(b => b.Indices).ToArray();
        var epoch1 = loader.Epoch(1).SelectMany(b => b.Indices).ToArray();

        Assert.Equal(Enumerable.Range(0, 103), epoch0.Order());
        Assert.Equal(Enumerable.Range(0, 103), epoch1.Order());
        Assert.NotEqual(epoch0, epoch1);
        Assert.NotEqual(Enumerable.Range(0, 103), epoch0);
        Assert.Equal(epoch0, loader.Order(0));
        Assert.Equal(epoch0, new DataLoader(new NumberedDataset(103), loader.Options).Order(0));
        Assert.NotEqual(epoch0, new DataLoader(new NumberedDataset(103), loader.Options with { Seed = 4 }).Order(0));
    }

    [Fact]
    public void Should_keep_dataset_order_without_shuffling_and_drop_the_last_partial_batch_when_asked()
    {
        var dataset = new NumberedDataset(103);
        using var scope = NewDisposeScope();
        var keep = new DataLoader(dataset, new DataLoaderOptions { BatchSize = 10, Shuffle = false });
        var drop = new DataLoader(dataset, new DataLoaderOptions { BatchSize = 10, Shuffle = false, DropLast = true });

        var kept = keep.Epoch(0).ToArray();
        var dropped = drop.Epoch(0).ToArray();

        Assert.Equal(11, keep.BatchCount);
        Assert.Equal(11, kept.Length);
        Assert.Equal(3, kept[^1].Count);
        Assert.Equal(new[] { 100, 101, 102 }, kept[^1].Indices);
        Assert.Equal(Enumerable.Range(0, 103), kept.SelectMany(b => b.Indices));
        Assert.Equal(10, drop.BatchCount);
        Assert.All(dropped, b => Assert.Equal(10, b.Count));
        Assert.Equal(Enumerable.Range(0, 10), dropped.Select(b => b.Number));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Should_batch_tensors_equal_to_the_individual_samples(int workers)
    {
        var dataset = new CanvasDataset(new ClutteredCanvasGenerator(FakeFashionMnist.Split(30, test: false), seed: 1), count: 45);
        var loader = new DataLoader(dataset, new DataLoaderOptions { BatchSize = 8, Seed = 2, Workers = workers });
        using var scope = NewDisposeScope();

        // Keep every batch until the end: a reused buffer shared with an earlier tensor would show here.
        var batches = loader.Epoch(0).ToArray();

        foreach (var batch in batches)
        {
            Assert.Equal(ScalarType.Float32, batch.Images.dtype);
            Assert.Equal(ScalarType.Int64, batch.Labels.dtype);
            Assert.Equal(new long[] { batch.Count, 3, 64, 64 }, batch.Images.shape);
            for (var k = 0; k < batch.Count; k++)
            {
                var sample = dataset.Get(batch.Indices[k]);
                Assert.Equal(sample.Pixels, batch.Images[k].data<float>().ToArray());
                Assert.Equal(sample.Label, batch.Labels[k].item<long>());
            }
        }
    }

    [Fact]
    public void Should_surface_a_worker_exception_at_the_batch_it_broke()
    {
        var dataset = new NumberedDataset(50, i => i == 25 ? throw new InvalidOperationException("disk on fire") : null);
        var loader = new DataLoader(dataset, new DataLoaderOptions { BatchSize = 10, Shuffle = false });
        using var scope = NewDisposeScope();
        var received = new List<int>();

        var e = Assert.Throws<DataLoaderException>(() =>
        {
            foreach (var batch in loader.Epoch(0)) received.Add(batch.Number);
        });

        Assert.Equal(new[] { 0, 1 }, received);
        Assert.Equal(25, e.Index);
        Assert.IsType<InvalidOperationException>(e.InnerException);
        Assert.Contains("Sample 25", e.Message);
        Assert.Contains("disk on fire", e.Message);
    }

    /// <summary>Samples whose index is in the set cannot be read: <see cref="IDataset.TryGet"/> gives null for them.</summary>
    private sealed class SkippingDataset(int count, ISet<int> unreadable) : IDataset
    {
        public int Count => count;

        public LabeledImage Get(int index) => TryGet(index, 0) ?? throw new InvalidDataException($"sample {index} is unreadable");

        public LabeledImage? TryGet(int index, int epoch) =>
            unreadable.Contains(index) ? null : new LabeledImage(Enumerable.Repeat((float)index, 12).ToArray(), 2, 2, index % 3);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Should_leave_unreadable_samples_out_and_keep_each_batch_in_its_slot(int workers)
    {
        // Batches of 4 over 14 samples: slot 1 (4-7) is wholly unreadable, slot 2 loses 9 and 10, slot 3 keeps both.
        var dataset = new SkippingDataset(14, new HashSet<int> { 4, 5, 6, 7, 9, 10 });
        var loader = new DataLoader(dataset, new DataLoaderOptions { BatchSize = 4, Shuffle = false, Workers = workers });
        using var scope = NewDisposeScope();

        var batches = loader.Epoch(0).Select(b => (b.Number, b.Indices.ToArray(), b.Images.select(1, 0).select(1, 0).select(1, 0).data<float>().ToArray(),
            b.Labels.data<long>().ToArray())).ToList();

        Assert.Equal([0, 2, 3], batches.Select(b => b.Number)); // slot 1 produced nothing; later slots keep their numbers
        Assert.Equal([[0, 1, 2, 3], [8, 11], [12, 13]], batches.Select(b => b.Item2));
        Assert.Equal([[0f, 1, 2, 3], [8f, 11], [12f, 13]], batches.Select(b => b.Item3));
        Assert.Equal([[0L, 1, 2, 0], [2L, 2], [0L, 1]], batches.Select(b => b.Item4));
        Assert.Equal(4, loader.BatchCount); // an upper bound
    }

    [Fact]
    public void Should_name_a_dataset_that_returns_null_without_being_able_to_skip()
    {
        var broken = new NullReturningDataset();
        var loader = new DataLoader(broken, new DataLoaderOptions { BatchSize = 4, Shuffle = false });

        var e = Assert.Throws<DataLoaderException>(() => loader.Epoch(0).ToArray());

        Assert.Equal(2, e.Index);
        Assert.Contains("NullReturningDataset.Get(2) returned null", e.Message);
    }

    private sealed class NullReturningDataset : IDataset
    {
        public int Count => 4;

        public LabeledImage Get(int index) => index == 2 ? null! : new LabeledImage(new float[12], 2, 2, 0);
    }

    [Fact]
    public void Should_report_samples_of_different_sizes_in_one_batch()
    {
        var dataset = new NumberedDataset(8, i => i == 5 ? new LabeledImage(new float[27], 3, 3, 0) : null);
        var loader = new DataLoader(dataset, new DataLoaderOptions { BatchSize = 8, Shuffle = false, Workers = 2 });

        var e = Assert.Throws<DataLoaderException>(() => loader.Epoch(0).ToArray());

        Assert.Equal(5, e.Index);
        Assert.Contains("3x3", e.Message);
    }

    [Fact]
    public void Should_stop_when_cancelled()
    {
        var loader = new DataLoader(new NumberedDataset(100), new DataLoaderOptions { BatchSize = 5 });
        using var cancel = new CancellationTokenSource();
        using var scope = NewDisposeScope();
        var count = 0;

        Assert.ThrowsAny<OperationCanceledException>(() =>
        {
            foreach (var _ in loader.Epoch(0, cancel.Token))
            {
                if (++count == 2) cancel.Cancel();
            }
        });
        Assert.Equal(2, count);
    }

    [Fact]
    public void Should_stop_the_worker_when_the_consumer_leaves_early()
    {
        var dataset = new NumberedDataset(1000);
        var loader = new DataLoader(dataset, new DataLoaderOptions { BatchSize = 10, Prefetch = 2 });
        using var scope = NewDisposeScope();

        using (var first = loader.Epoch(0).First())
        {
            Assert.Equal(10, first.Count);
        }
        var calls = dataset.Calls;
        Thread.Sleep(50);

        Assert.Equal(calls, dataset.Calls);
        // One batch consumed, two queued, one in the making at most.
        Assert.InRange(calls, 10, 40);
    }

    [Fact]
    public void Should_produce_the_next_batches_while_the_consumer_holds_one()
    {
        // Overlap shown by order of events, not by timing: while the consumer still holds batch 0, the worker has
        // already been asked for the samples of batch 1.
        var dataset = new NumberedDataset(64);
        var loader = new DataLoader(dataset, new DataLoaderOptions { BatchSize = 8, Prefetch = 2 });
        using var scope = NewDisposeScope();
        using var batches = loader.Epoch(0).GetEnumerator();
        Assert.True(batches.MoveNext());
        using (batches.Current)
        {
            Assert.True(SpinWait.SpinUntil(() => dataset.Calls >= 16, TimeSpan.FromSeconds(30)), $"worker made {dataset.Calls} samples");
        }
        int seen = 1;
        while (batches.MoveNext())
        {
            batches.Current.Dispose();
            seen++;
        }
        Assert.Equal(8, seen);
    }

    [Fact]
    public void Should_reject_invalid_options()
    {
        var dataset = new NumberedDataset(4);
        Assert.Throws<ArgumentException>(() => new DataLoader(dataset, new DataLoaderOptions { BatchSize = 0 }));
        Assert.Throws<ArgumentException>(() => new DataLoader(dataset, new DataLoaderOptions { Prefetch = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DataLoader(dataset).Epoch(-1));
    }
}
