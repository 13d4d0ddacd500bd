using AutoTimm.Data;

namespace AutoTimm.Tests.Data;

public sealed class MultiObjectCanvasGeneratorTests
{
    private static readonly FashionMnistSplit Train = FakeFashionMnist.Split(40, test: false);

    private static readonly MultiObjectCanvasOptions Crowded = new()
    {
        Size = 96, MinObjects = 3, MaxObjects = 4, MaxOverlap = 0.6f, MinVisibleFraction = 0.2f, MinVisiblePixels = 10,
    };

    [Fact]
    public void Should_draw_identical_canvases_for_the_same_seed_and_index()
    {
        var a = new MultiObjectCanvasGenerator(Train, seed: 8).Generate(5);
        var b = new MultiObjectCanvasGenerator(Train, seed: 8).Generate(5);
        var c = new MultiObjectCanvasGenerator(Train, seed: 8).Generate(6);

        Assert.Equal(a.Image, b.Image);
        Assert.Equal(a.ClassMask, b.ClassMask);
        Assert.Equal(a.Objects.Select(o => o.Box), b.Objects.Select(o => o.Box));
        Assert.NotEqual(a.Image, c.Image);
    }

    [Fact]
    public void Should_let_later_objects_occlude_earlier_ones_in_masks_and_boxes()
    {
        // Fake items are solid rectangles; with a zero threshold an object's unoccluded mask is exactly its FullBox.
        var generator = new MultiObjectCanvasGenerator(Train, seed: 1, Crowded with { MaskThreshold = 0 });
        var occludedSeen = 0;
        for (var index = 0; index < 30; index++)
        {
            var c = generator.Generate(index);
            var size = c.Width;
            // Expected owner of each pixel: the last object (in drawing order) whose unoccluded extent covers it.
            for (var y = 0; y < size; y++)
            {
                for (var x = 0; x < size; x++)
                {
                    var expected = 0;
                    foreach (var o in c.Objects)
                    {
                        if (o.FullBox.ContainsPixel(x, y)) expected = o.InstanceId;
                    }
                    var i = y * size + x;
                    Assert.Equal(expected, c.InstanceMask[i]);
                    Assert.Equal(expected == 0 ? 0 : c.Objects[expected - 1].Label + 1, c.ClassMask[i]);
                }
            }
            foreach (var o in c.Objects)
            {
                var visible = new bool[size * size];
                for (var i = 0; i < visible.Length; i++) visible[i] = c.InstanceMask[i] == o.InstanceId;
                Assert.Equal(o.VisiblePixels, visible.Count(v => v));
                Assert.Equal(BoundingBox.FromMask(visible, size, size), o.Box);
                Assert.True(o.VisiblePixels <= o.FullPixels);
                if (o.VisiblePixels < o.FullPixels) occludedSeen++;
            }
        }
        Assert.True(occludedSeen >= 5, $"only {occludedSeen} occluded objects in 30 crowded canvases");
    }

    [Fact]
    public void Should_show_the_color_of_the_visible_object_at_its_opaque_pixels()
    {
        var c = new MultiObjectCanvasGenerator(Train, seed: 2, Crowded).Generate(3);
        var plane = c.Width * c.Height;
        foreach (var o in c.Objects)
        {
            int exact = 0;
            for (var i = 0; i < plane; i++)
            {
                if (c.InstanceMask[i] != o.InstanceId) continue;
                if (Math.Abs(c.Image[i] - o.Color[0]) < 1e-6f && Math.Abs(c.Image[plane + i] - o.Color[1]) < 1e-6f
                    && Math.Abs(c.Image[2 * plane + i] - o.Color[2]) < 1e-6f) exact++;
            }
            Assert.True(exact >= 0.5 * o.VisiblePixels, $"object {o.InstanceId}: {exact} of {o.VisiblePixels} visible pixels have its color");
        }
    }

    [Fact]
    public void Should_leave_out_objects_that_would_stay_too_little_visible()
    {
        var strict = Crowded with { MinVisibleFraction = 0.95f, MaxOverlap = 0.8f };
        var generator = new MultiObjectCanvasGenerator(Train, seed: 3, strict);
        var dropped = 0;
        for (var index = 0; index < 30; index++)
        {
            var c = generator.Generate(index);
            dropped += c.DroppedCount;
            Assert.All(c.Objects, o => Assert.True(o.VisiblePixels >= 0.95f * o.FullPixels));
            Assert.Equal(Enumerable.Range(1, c.Objects.Count), c.Objects.Select(o => o.InstanceId));
            Assert.All(c.InstanceMask, v => Assert.InRange(v, 0, c.Objects.Count));
        }
        Assert.True(dropped > 0, "no object was dropped in 30 canvases with a 95% visibility requirement");
    }

    [Fact]
    public void Should_place_one_to_four_objects_with_limited_overlap_by_default()
    {
        var generator = new MultiObjectCanvasGenerator(Train, seed: 4);
        var counts = new HashSet<int>();
        for (var index = 0; index < 40; index++)
        {
            var c = generator.Generate(index);
            Assert.Equal(128, c.Width);
            Assert.InRange(c.Objects.Count, 1, 4);
            counts.Add(c.Objects.Count + c.DroppedCount);
            for (var a = 0; a < c.Objects.Count; a++)
            {
                for (var b = a + 1; b < c.Objects.Count; b++)
                {
                    var (fa, fb) = (c.Objects[a].FullBox, c.Objects[b].FullBox);
                    Assert.True(fa.Intersect(fb).Area <= 0.3f * MathF.Min(fa.Area, fb.Area) + 1e-3f);
                }
            }
        }
        Assert.Equal(new HashSet<int> { 1, 2, 3, 4 }, counts);
    }
}
