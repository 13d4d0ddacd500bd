using AutoTimm.Interpretation.Methods;
using AutoTimm.Interpretation.Metrics;
using AutoTimm.Interpretation.Tests.Models;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Tests.Metrics;

/// <summary>Sensitivity on a linear model, where Integrated Gradients is exactly (x - x') * W[c].</summary>
public sealed class SensitivityTests
{
    [Fact]
    public void Should_equal_the_closed_form_on_a_linear_model()
    {
        using var model = new LinearNet(seed: 4);
        using var ig = new IntegratedGradients(model, IgBaseline.Zeros, steps: 4);
        using var x = randn(1, 3, 4, 4, generator: new TorchSharp.torch.Generator(2));
        using var noise = randn(5, 3, 4, 4, generator: new TorchSharp.torch.Generator(8)) * 0.1f;
        var options = new SensitivityOptions { Samples = 5, BatchSize = 2 };
        var result = Sensitivity.Compute(ig, x, 1, options, (start, count, _) => noise.narrow(0, start, count));

        // e(x) = x * w, e(x + d) - e(x) = d * w.
        using var w = model.Fc.weight![1].reshape(1, 3, 4, 4).detach();
        double norm = (x * w).norm().item<float>();
        var expected = Enumerable.Range(0, 5).Select(k => (noise[k] * w).norm().item<float>() / norm).ToArray();
        Assert.All(result.PerSample.Zip(expected), p => Assert.Equal(p.Second, p.First, 5));
        Assert.Equal(expected.Max(), result.Max.Value, 5);
        Assert.Equal(expected.Average(), result.Average.Value, 5);
        Assert.Same(options, result.Options);
    }

    [Fact]
    public void Should_draw_seeded_noise_independent_of_the_batch_size()
    {
        using var model = new TinyConvNet(seed: 1);
        using var gradCam = new GradCam(model);
        using var x = randn(1, 3, 8, 8, generator: new TorchSharp.torch.Generator(1));
        var one = Sensitivity.Compute(gradCam, x, 0, new SensitivityOptions { Samples = 6, BatchSize = 1, Radius = 0.3 });
        var all = Sensitivity.Compute(gradCam, x, 0, new SensitivityOptions { Samples = 6, BatchSize = 6, Radius = 0.3 });
        Assert.All(one.PerSample.Zip(all.PerSample), p => Assert.Equal(p.First, p.Second, 1e-5));
        Assert.True(one.Max.Value > 0);
    }

    [Fact]
    public void Should_give_nan_with_a_reason_for_an_explanation_that_is_zero_everywhere()
    {
        using var model = new LinearNet(seed: 4);
        using var ig = new IntegratedGradients(model, IgBaseline.Zeros, steps: 2);
        using var x = zeros(1, 3, 4, 4);
        var result = Sensitivity.Compute(ig, x, 0, new SensitivityOptions { Samples = 2 });
        Assert.True(double.IsNaN(result.Max.Value));
        Assert.Contains("zero everywhere", result.Max.Reason, StringComparison.Ordinal);
    }
}
