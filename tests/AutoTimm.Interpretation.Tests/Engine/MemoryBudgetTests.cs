using AutoTimm.Interpretation.Engine;
using AutoTimm.Interpretation.Methods;
using AutoTimm.Interpretation.Tests.Models;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Tests.Engine;

public sealed class MemoryBudgetTests : IDisposable
{
    private readonly long _saved = MemoryBudget.Bytes;

    public void Dispose() => MemoryBudget.Bytes = _saved;

    [Fact]
    public void Should_cost_a_row_twice_the_outputs_of_every_layer()
    {
        using var model = new TinyConvNet();
        using var x = randn(5, 3, 8, 8);
        // conv [4,8,8] + relu [4,8,8] + fc [3] = 515 floats for one row, held again by the backward.
        Assert.Equal(2 * 515 * 4, MemoryBudget.BytesPerRow(model, x));
    }

    [Fact]
    public void Should_give_the_rows_that_fit_between_one_and_the_rows_asked_for()
    {
        using var model = new TinyConvNet();
        using var x = randn(1, 3, 8, 8);
        MemoryBudget.Bytes = 1 << 20;
        Assert.Equal(254, MemoryBudget.RowsFor(model, x, 1000));
        Assert.Equal(7, MemoryBudget.RowsFor(model, x, 7));
        Assert.Throws<ArgumentOutOfRangeException>(() => MemoryBudget.Bytes = 1000);
    }

    [Fact]
    public void Should_chunk_integrated_gradients_by_the_budget_and_give_the_same_attributions()
    {
        using var model = new TinyConvNet(3);
        // 52 x 52: a row costs 2 x 4 bytes x (2 x 4 x 52 x 52 + 3) = 173,080 bytes, so 1 MiB holds 6 rows.
        using var x = randn(1, 3, 52, 52, generator: new Generator(2));
        using var ig = new IntegratedGradients(model, IgBaseline.Zeros, steps: 20, internalBatchSize: 32);
        var whole = ig.Explain(x, 1);

        var rows = new List<long>();
        var hook = model.register_forward_hook((_, _, output) => { rows.Add(output.shape[0]); return output; });
        MemoryBudget.Bytes = 1 << 20;
        Assert.Equal(173_080, MemoryBudget.BytesPerRow(model, x));
        rows.Clear();
        var chunked = ig.Explain(x, 1);
        hook.remove();
        // 20 path points in chunks of 6, 6, 6, 2 (the one-row forwards are the input's and the baseline's).
        Assert.Equal([6L, 6, 6, 2], rows.Where(r => r != 1));
        // The same path points in other batches: a batch of 6 may take other kernels than one of 20, so each gradient is
        // rounded differently (a float32 reduction of K terms is exact to K * 2^-24 of its magnitude, K <= 27 here), and
        // the 20 gradients are summed in another grouping; 1e-3 of the attributions' scale bounds both.
        float[] expected = whole.Attributions!, actual = chunked.Attributions!;
        float scale = expected.Max(Math.Abs);
        for (int i = 0; i < expected.Length; i++) Assert.InRange(Math.Abs(expected[i] - actual[i]), 0f, 1e-3f * scale);
    }
}
