using AutoTimm.Data;

namespace AutoTimm.Tests.Data;

public sealed class CanvasDatasetTests
{
    private static readonly FashionMnistSplit Train = FakeFashionMnist.Split(40, test: false);

    [Fact]
    public void Should_show_the_same_canvas_every_epoch_by_default()
    {
        var generator = new ClutteredCanvasGenerator(Train, seed: 5);
        var dataset = new CanvasDataset(generator, count: 30);

        Assert.Equal(generator.Generate(7).Image, dataset.Get(7).Pixels);
        Assert.Equal(dataset.Get(7).Pixels, dataset.Get(7, epoch: 3).Pixels);
    }

    [Fact]
    public void Should_redraw_the_same_item_in_each_epoch_when_fresh()
    {
        var generator = new ClutteredCanvasGenerator(Train, seed: 5);
        var fresh = new CanvasDataset(generator, count: 30, freshEachEpoch: true);

        var epoch0 = fresh.Get(7, epoch: 0);
        var epoch1 = fresh.Get(7, epoch: 1);
        var epoch2 = fresh.Get(7, epoch: 2);

        // Epoch 0 is the fixed dataset's canvas; later epochs are canvases of the same item, drawn anew.
        Assert.Equal(generator.Generate(7).Image, epoch0.Pixels);
        Assert.Equal(generator.Generate(7 + Train.Count).Image, epoch1.Pixels);
        Assert.Equal(generator.Generate(7 + 2 * Train.Count).Image, epoch2.Pixels);
        Assert.Equal(epoch0.Label, epoch1.Label);
        Assert.Equal(epoch0.Label, epoch2.Label);
        Assert.NotEqual(epoch0.Pixels, epoch1.Pixels);
        Assert.NotEqual(epoch1.Pixels, epoch2.Pixels);
        Assert.Equal(epoch1.Pixels, fresh.Get(7, epoch: 1).Pixels);
    }

    [Fact]
    public void Should_never_repeat_a_canvas_across_epochs_when_larger_than_the_split()
    {
        // 100 canvases over 40 items: the per-epoch stride rounds up to 120, so epochs never overlap.
        var generator = new ClutteredCanvasGenerator(Train, seed: 5);
        var fresh = new CanvasDataset(generator, count: 100, freshEachEpoch: true);

        var firstOfEpoch1 = fresh.Get(0, epoch: 1);
        var lastOfEpoch0 = fresh.Get(99, epoch: 0);

        Assert.Equal(generator.Generate(120).Image, firstOfEpoch1.Pixels);
        Assert.Equal(Train.Label(0), firstOfEpoch1.Label);
        Assert.Equal(Train.Label(99 % 40), lastOfEpoch0.Label);
        var epoch0 = Enumerable.Range(0, 100).Select(i => fresh.Get(i, 0).Pixels).ToList();
        Assert.DoesNotContain(epoch0, p => p.SequenceEqual(firstOfEpoch1.Pixels));
    }

    [Fact]
    public void Should_reject_indices_and_epochs_out_of_range()
    {
        var fresh = new CanvasDataset(new ClutteredCanvasGenerator(Train), count: 10, freshEachEpoch: true);

        Assert.Throws<ArgumentOutOfRangeException>(() => fresh.Get(10, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => fresh.Get(-1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => fresh.Get(0, -1));
    }
}
