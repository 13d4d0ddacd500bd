using AutoTimm.Interpretation.Engine;
using AutoTimm.Interpretation.Methods;
using AutoTimm.Interpretation.Tests.Models;
using AutoTimm.Models;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Tests.Methods;

public sealed class SmoothGradTests
{
    [Fact]
    public void Should_equal_the_inner_explainer_without_noise()
    {
        using var model = new TinyConvNet(3);
        using var x = randn(2, 3, 8, 8, generator: new TorchSharp.torch.Generator(1));
        var inner = new GradCam(model).ExplainBatch(x, [0, 2]);
        var smooth = new SmoothGrad(new GradCam(model), noiseLevel: 0, numSamples: 3).ExplainBatch(x, [0, 2]);
        for (int i = 0; i < 2; i++)
        for (int p = 0; p < 64; p++)
            Assert.Equal(inner[i].Raw[p], smooth[i].Raw[p], 5);
    }

    [Fact]
    public void Should_average_the_maps_of_noisy_copies_drawn_from_the_seed()
    {
        using var model = new LinearNet(2);
        using var x = randn(1, 3, 4, 4, generator: new TorchSharp.torch.Generator(2));
        // For a linear model IG's attribution of a noisy copy is (x + e - x') * w, so the mean of |.| over copies is
        // computable directly from the same seeded noise.
        var ig = new IntegratedGradients(model, IgBaseline.Zeros, steps: 2);
        var smooth = new SmoothGrad(ig, noiseLevel: 0.2, numSamples: 6, seed: 11, samplesPerBatch: 4).Explain(x, 1);
        // Sample k's noise comes from its own generator, seeded seed * 1000003 + k, so chunking never changes it.
        using var noise = stack(Enumerable.Range(0, 6).Select(k => randn([3, 4, 4], generator: new TorchSharp.torch.Generator(11UL * 1_000_003UL + (ulong)k))).ToArray());
        double sigma = 0.2 * (x.max().item<float>() - x.min().item<float>());
        using var noisy = x + noise * sigma;
        using var expected = (noisy * model.Fc.weight![1].reshape(3, 4, 4)).abs().sum(1).mean([0]).contiguous();
        var values = expected.data<float>().ToArray();
        for (int p = 0; p < 16; p++) Assert.Equal(values[p], smooth.Raw[p], 4);
    }

    [Fact]
    public void Should_draw_noise_into_a_buffer_row_exactly_as_a_fresh_draw()
    {
        using var fresh = AutoTimm.Interpretation.Internal.SeededNoise.Normal([3, 5, 7], 42, CPU);
        using var buffer = zeros(2, 3, 5, 7);
        using (var row = buffer[1]) AutoTimm.Interpretation.Internal.SeededNoise.NormalInto(row, 42);
        Assert.True(buffer[1].Equals(fresh));
        Assert.Equal(0.0, buffer[0].abs().sum().item<float>());
        // A float64 destination gets the float32 draw, converted: the same numbers as Normal gives in float64.
        using var wide = zeros(3, 5, 7, dtype: ScalarType.Float64);
        AutoTimm.Interpretation.Internal.SeededNoise.NormalInto(wide, 42);
        using var freshWide = AutoTimm.Interpretation.Internal.SeededNoise.Normal([3, 5, 7], 42, CPU, ScalarType.Float64);
        Assert.True(wide.Equals(freshWide));
    }

    [Fact]
    public void Should_give_the_same_map_for_any_chunking_of_the_samples()
    {
        using var model = ModelZoo.Create("resnet10_tiny", 3);
        using var x = randn(2, 3, 16, 16, generator: new TorchSharp.torch.Generator(5));
        var one = new SmoothGrad(new GradCam(model, "layer3"), noiseLevel: 0.1, numSamples: 7, seed: 4, samplesPerBatch: 1).ExplainBatch(x, [0, 1]);
        var all = new SmoothGrad(new GradCam(model, "layer3"), noiseLevel: 0.1, numSamples: 7, seed: 4, samplesPerBatch: 7).ExplainBatch(x, [0, 1]);
        for (int i = 0; i < 2; i++)
        for (int p = 0; p < one[i].Raw.Length; p++) Assert.Equal(one[i].Raw[p], all[i].Raw[p], 4);
    }

    [Fact]
    public void Should_give_the_same_map_alone_and_in_a_batch()
    {
        using var model = ModelZoo.Create("resnet10_tiny", 3);
        using var x = randn(3, 3, 16, 16, generator: new TorchSharp.torch.Generator(3));
        var smooth = new SmoothGrad(new GradCam(model, "layer3"), noiseLevel: 0.1, numSamples: 5, seed: 4, samplesPerBatch: 2);
        var batched = smooth.ExplainBatch(x, [0, 1, 2], batchSize: 2);
        var alone = smooth.Explain(x[2], 2);
        for (int p = 0; p < alone.Raw.Length; p++) Assert.Equal(alone.Raw[p], batched[2].Raw[p], 4);
        Assert.Equal("smoothgrad", alone.Method);
        Assert.Equal("layer3", alone.Layer);
    }

    [Fact]
    public void Should_explain_given_targets_with_the_clean_images_in_the_first_chunk()
    {
        // Given a model whose forwards are recorded by their rows
        using var model = ModelZoo.Create("resnet10_tiny", 3);
        var rows = ForwardRows(model);
        using var x = randn(2, 3, 16, 16, generator: new TorchSharp.torch.Generator(6));
        var smooth = new SmoothGrad(new GradCam(model, "layer3"), noiseLevel: 0.1, numSamples: 3, seed: 4, samplesPerBatch: 3);

        // When explained for the predicted classes (null targets), then for the same classes given
        var byDefault = smooth.ExplainBatch(x);
        var defaultRows = rows.ToList();
        rows.Clear();
        var given = smooth.ExplainBatch(x, [.. byDefault.Select(h => h.TargetClass!.Value)]);

        // Then the predicted classes need the clean images' forward first (2 rows, then 6 noisy ones); given classes
        // let the clean images ride in the noisy chunk (8 rows, one forward)
        Assert.Equal([2L, 6L], defaultRows);
        Assert.Equal([8L], rows);
        // And both give the same maps and predictions, to float32 rounding of a different batch
        for (int i = 0; i < 2; i++)
        {
            for (int p = 0; p < given[i].Raw.Length; p++) Assert.Equal(byDefault[i].Raw[p], given[i].Raw[p], 4);
            var (a, b) = ((ClassPrediction)byDefault[i].Prediction, (ClassPrediction)given[i].Prediction);
            Assert.Equal(a.PredictedClass, b.PredictedClass);
            for (int c = 0; c < 3; c++) Assert.Equal(a.Probabilities[c], b.Probabilities[c], 5);
        }
    }

    [Fact]
    public void Should_give_a_multi_pass_inner_method_the_clean_images_on_their_own()
    {
        // Given IG inside SmoothGrad, whose rows each cost all its steps, and a given target
        using var model = ModelZoo.Create("resnet10_tiny", 3);
        var rows = ForwardRows(model);
        using var x = randn(1, 3, 16, 16, generator: new TorchSharp.torch.Generator(7));

        new SmoothGrad(new IntegratedGradients(model, IgBaseline.Zeros, steps: 4), noiseLevel: 0.1, numSamples: 2, samplesPerBatch: 2).Explain(x, 1);

        // Then the clean image is one forward of its own, first: never a row that IG would integrate
        Assert.Equal(1L, rows[0]);
        Assert.DoesNotContain(rows.Skip(1), r => r % 2 == 1 && r > 1);
    }

    // The batch size of every forward of the model from now on, in order.
    private static List<long> ForwardRows(VisionModel model)
    {
        var rows = new List<long>();
        model.register_forward_hook((_, _, output) => { rows.Add(output.shape[0]); return output; });
        return rows;
    }
}
