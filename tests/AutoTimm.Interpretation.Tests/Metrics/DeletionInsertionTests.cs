using AutoTimm.Interpretation.Metrics;
using AutoTimm.Interpretation.Tests.Models;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Tests.Metrics;

/// <summary>Deletion and insertion on a linear model, against an explicit one-forward-per-step loop.</summary>
public sealed class DeletionInsertionTests
{
    /// <summary>The curve by the definition: order pixels, replace the first k*p of them, one forward per step.</summary>
    private static double[] Reference(LinearNet model, Tensor x, float[] saliency, int perStep, Tensor start, Tensor end, int target)
    {
        int pixels = saliency.Length, steps = (pixels + perStep - 1) / perStep;
        var order = Enumerable.Range(0, pixels).OrderByDescending(i => saliency[i]).ThenBy(i => i).ToArray();
        var scores = new double[steps + 1];
        using var _ = no_grad();
        for (int k = 0; k <= steps; k++)
        {
            var mask = new float[pixels];
            foreach (var p in order.Take(Math.Min(pixels, k * perStep))) mask[p] = 1;
            using var m = tensor(mask, [1, 1, 4, 4]);
            using var image = start * (1 - m) + end * m;
            scores[k] = model.call(image).softmax(1)[0, target].item<float>();
        }
        return scores;
    }

    [Theory]
    [InlineData(3, 1)]
    [InlineData(3, 32)]
    [InlineData(16, 4)]
    public void Should_equal_the_one_forward_per_step_definition_for_any_batch_size(int perStep, int batchSize)
    {
        using var model = new LinearNet(seed: 3);
        model.eval();
        using var x = randn(1, 3, 4, 4, generator: new TorchSharp.torch.Generator(5));
        var saliency = Enumerable.Range(0, 16).Select(i => (float)((i * 7) % 5)).ToArray();   // ties on purpose
        var options = new PerturbationOptions { PixelsPerStep = perStep, BatchSize = batchSize };
        var (deletion, insertion) = DeletionInsertion.Compute(model, x, saliency, 2, options);

        using var blurred = Substrates.Blur(x, 11, 5);
        var expectedDeletion = Reference(model, x, saliency, perStep, x, zeros_like(x), 2);
        var expectedInsertion = Reference(model, x, saliency, perStep, blurred, x, 2);
        Assert.Equal((16 + perStep - 1) / perStep + 1, deletion.Scores.Count);
        Assert.All(deletion.Scores.Zip(expectedDeletion), p => Assert.Equal(p.Second, p.First, 6));
        Assert.All(insertion.Scores.Zip(expectedInsertion), p => Assert.Equal(p.Second, p.First, 6));
        // Insertion ends at the original image, deletion starts there.
        Assert.Equal(deletion.Scores[0], insertion.Scores[^1], 6);
        // The area by hand: trapezoid over x in [0, 1].
        var s = deletion.Scores;
        double trapezoid = 0;
        for (int i = 0; i < s.Count - 1; i++) trapezoid += (s[i] + s[i + 1]) / 2 / (s.Count - 1);
        Assert.Equal(trapezoid, deletion.Auc, 12);
        Assert.Equal(perStep, deletion.PixelsPerStep);
        Assert.Same(options, insertion.Options);
    }

    [Fact]
    public void Should_blur_with_a_normalized_kernel_and_zero_padding()
    {
        using var ones = full(1, 3, 31, 31, 1f);
        using var blurred = Substrates.Blur(ones, 11, 5);
        Assert.Equal(1f, blurred[0, 0, 15, 15].item<float>(), 5);     // far from the border: the kernel sums to 1
        Assert.True(blurred[0, 0, 0, 0].item<float>() < 0.5f);          // a corner sees a quarter of the kernel
    }

    [Fact]
    public void Should_refuse_a_map_of_the_wrong_size_a_non_finite_map_and_a_class_out_of_range()
    {
        using var model = new LinearNet();
        using var x = randn(1, 3, 4, 4);
        Assert.Contains("16 pixels", Assert.Throws<ArgumentException>(() => DeletionInsertion.Compute(model, x, new float[15], 0)).Message, StringComparison.Ordinal);
        var nan = new float[16];
        nan[3] = float.NaN;
        Assert.Throws<ArgumentException>(() => DeletionInsertion.Compute(model, x, nan, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => DeletionInsertion.Compute(model, x, new float[16], 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => DeletionInsertion.Compute(model, x, new float[16], 0, new PerturbationOptions { BlurKernel = 4 }));
    }
}
