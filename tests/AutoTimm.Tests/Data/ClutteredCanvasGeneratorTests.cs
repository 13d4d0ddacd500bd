using AutoTimm.Data;

namespace AutoTimm.Tests.Data;

public sealed class ClutteredCanvasGeneratorTests
{
    private static readonly FashionMnistSplit Train = FakeFashionMnist.Split(40, test: false);
    private static readonly FashionMnistSplit Test = FakeFashionMnist.Split(20, test: true, seed: 2);

    [Fact]
    public void Should_draw_identical_canvases_for_the_same_seed_and_index_in_any_order_or_thread()
    {
        var generator = new ClutteredCanvasGenerator(Train, seed: 42);
        var forward = Enumerable.Range(0, 12).Select(i => generator.Generate(i)).ToArray();
        var parallel = new CanvasSample[12];
        Parallel.For(0, 12, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => parallel[11 - i] = generator.Generate(11 - i));
        var again = new ClutteredCanvasGenerator(Train, seed: 42).Generate(7);

        for (var i = 0; i < 12; i++)
        {
            Assert.Equal(forward[i].Image, parallel[i].Image);
            Assert.Equal(forward[i].Mask, parallel[i].Mask);
            Assert.Equal(forward[i].Box, parallel[i].Box);
        }
        Assert.Equal(forward[7].Image, again.Image);
    }

    [Fact]
    public void Should_draw_different_canvases_for_different_indices_and_seeds()
    {
        var generator = new ClutteredCanvasGenerator(Train, seed: 1);
        var a = generator.Generate(3);
        var b = generator.Generate(4);
        var sameItemLater = generator.Generate(3 + Train.Count);
        var otherSeed = new ClutteredCanvasGenerator(Train, seed: 2).Generate(3);

        Assert.NotEqual(a.Image, b.Image);
        Assert.Equal(a.SourceIndex, sameItemLater.SourceIndex);
        Assert.NotEqual(a.Image, sameItemLater.Image);
        Assert.NotEqual(a.Image, otherSeed.Image);
    }

    [Fact]
    public void Should_take_item_index_modulo_the_split_and_label_it_as_the_source_item()
    {
        var generator = new ClutteredCanvasGenerator(Train, seed: 5);
        foreach (var index in new long[] { 0, 1, 17, 39, 40, 123 })
        {
            var canvas = generator.Generate(index);
            Assert.Equal((int)(index % Train.Count), canvas.SourceIndex);
            Assert.Equal(Train.Label(canvas.SourceIndex), canvas.Label);
            Assert.DoesNotContain(canvas.SourceIndex, canvas.ClutterSources);
        }
    }

    [Fact]
    public void Should_box_the_mask_tightly()
    {
        var generator = new ClutteredCanvasGenerator(Train, seed: 9);
        for (var index = 0; index < 20; index++)
        {
            var c = generator.Generate(index);
            Assert.False(c.Box.IsEmpty);
            var (x0, y0, x1, y1) = ((int)c.Box.X0, (int)c.Box.Y0, (int)c.Box.X1, (int)c.Box.Y1);
            var rowsWithMask = new HashSet<int>();
            var colsWithMask = new HashSet<int>();
            for (var y = 0; y < c.Height; y++)
            {
                for (var x = 0; x < c.Width; x++)
                {
                    if (!c.Mask[y * c.Width + x]) continue;
                    Assert.True(c.Box.ContainsPixel(x, y), $"mask pixel ({x},{y}) outside box {c.Box}");
                    rowsWithMask.Add(y);
                    colsWithMask.Add(x);
                }
            }
            // Tight: the box's first and last rows and columns each hold a mask pixel.
            Assert.Contains(y0, rowsWithMask);
            Assert.Contains(y1 - 1, rowsWithMask);
            Assert.Contains(x0, colsWithMask);
            Assert.Contains(x1 - 1, colsWithMask);
        }
    }

    [Fact]
    public void Should_give_mask_pixels_the_item_color_and_no_pixel_outside_it()
    {
        // Fake items are solid 255 rectangles: their scaled interior is fully opaque, so it has exactly the item color.
        var generator = new ClutteredCanvasGenerator(Train, seed: 11);
        for (var index = 0; index < 10; index++)
        {
            var c = generator.Generate(index);
            var plane = c.Height * c.Width;
            int exactInMask = 0, maskPixels = 0, exactOutside = 0;
            for (var i = 0; i < plane; i++)
            {
                var exact = Math.Abs(c.Image[i] - c.ItemColor[0]) < 1e-6f && Math.Abs(c.Image[plane + i] - c.ItemColor[1]) < 1e-6f
                    && Math.Abs(c.Image[2 * plane + i] - c.ItemColor[2]) < 1e-6f;
                if (c.Mask[i])
                {
                    maskPixels++;
                    if (exact) exactInMask++;
                }
                else if (exact)
                {
                    exactOutside++;
                }
            }
            Assert.True(exactInMask >= 0.6 * maskPixels, $"canvas {index}: {exactInMask} of {maskPixels} mask pixels have the item color");
            Assert.Equal(0, exactOutside);
        }
    }

    [Fact]
    public void Should_keep_pixels_in_range_and_canvas_at_the_configured_size()
    {
        var generator = new ClutteredCanvasGenerator(Train, seed: 3, new ClutteredCanvasOptions { Size = 48, MaxScale = 1.5f });
        var c = generator.Generate(0);
        Assert.Equal(48, c.Height);
        Assert.Equal(3 * 48 * 48, c.Image.Length);
        Assert.Equal(48 * 48, c.Mask.Length);
        Assert.All(c.Image, v => Assert.InRange(v, 0f, 1f));
        using var tensor = c.ToTensor();
        Assert.Equal(new long[] { 3, 48, 48 }, tensor.shape);
    }

    [Fact]
    public void Should_draw_test_canvases_only_from_the_test_split()
    {
        // Fake train labels are 0-4 and test labels 5-9.
        var generator = new ClutteredCanvasGenerator(Test, seed: 4);
        for (var index = 0; index < 60; index++)
        {
            var c = generator.Generate(index);
            Assert.InRange(c.Label, 5, 9);
            Assert.InRange(c.SourceIndex, 0, Test.Count - 1);
            Assert.All(c.ClutterSources, s => Assert.InRange(s, 0, Test.Count - 1));
        }
        Assert.Same(Test, generator.Source);
    }

    [Fact]
    public void Should_place_clutter_that_changes_the_image_but_not_the_mask()
    {
        var clean = new ClutteredCanvasGenerator(Train, seed: 6, new ClutteredCanvasOptions { Clutter = ClutterOptions.None }).Generate(2);
        var cluttered = new ClutteredCanvasGenerator(Train, seed: 6).Generate(2);

        Assert.Empty(clean.ClutterSources);
        Assert.InRange(cluttered.ClutterSources.Count, 4, 8);
        Assert.Equal(clean.Mask, cluttered.Mask);
        Assert.Equal(clean.Box, cluttered.Box);
        Assert.NotEqual(clean.Image, cluttered.Image);
    }

    [Fact]
    public void Should_reject_an_item_scale_that_does_not_fit_the_canvas()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            new ClutteredCanvasGenerator(Train, options: new ClutteredCanvasOptions { Size = 32, MaxScale = 1.6f }));
        Assert.Contains("does not fit a 32 px canvas", e.Message);
        Assert.Throws<ArgumentException>(() =>
            new ClutteredCanvasGenerator(Train, options: new ClutteredCanvasOptions { Clutter = new ClutterOptions { MaxFragmentSize = 20 } }));
    }
}
