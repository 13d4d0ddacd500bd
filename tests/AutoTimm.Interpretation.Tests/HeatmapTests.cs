using AutoTimm.Interpretation.Engine;
using AutoTimm.Interpretation.Targets;

namespace AutoTimm.Interpretation.Tests;

public sealed class HeatmapTests
{
    private static Heatmap Of(float[] raw, int height, int width) => new(raw, height, width)
    {
        Method = "gradcam",
        Target = new ClassTarget(0),
        Prediction = new ClassPrediction(0, [1f]),
    };

    [Fact]
    public void Should_scale_the_raw_map_to_0_1_by_its_minimum_and_range_exactly_as_one_division_per_value()
    {
        // 7 x 11 values: not a multiple of any vector width, so the vector loops' tails are covered too.
        var raw = Enumerable.Range(0, 77).Select(i => MathF.Sin(i * 0.37f) * 3f + 0.25f).ToArray();
        var heatmap = Of(raw, 7, 11);
        float min = raw.Min(), range = raw.Max() - min;
        Assert.Equal(raw.Select(v => (v - min) / range).ToArray(), heatmap.Values);
        Assert.Equal(0f, heatmap.Values.Min());
        Assert.Equal(1f, heatmap.Values.Max());
    }

    [Fact]
    public void Should_give_a_flat_map_all_zeros()
    {
        Assert.Equal(new float[6], Of([2.5f, 2.5f, 2.5f, 2.5f, 2.5f, 2.5f], 2, 3).Values);
    }

    [Fact]
    public void Should_copy_both_maps_so_changing_the_copy_leaves_the_original_alone()
    {
        var original = Of([0f, 1f, 2f, 4f], 2, 2);
        var copy = original.Copy();
        Assert.Equal(original.Values, copy.Values);
        Assert.Equal(original.Raw, copy.Raw);
        copy.Values[3] = -1f;
        copy.Raw[3] = -1f;
        Assert.Equal([0f, 0.25f, 0.5f, 1f], original.Values);
        Assert.Equal([0f, 1f, 2f, 4f], original.Raw);
    }
}
