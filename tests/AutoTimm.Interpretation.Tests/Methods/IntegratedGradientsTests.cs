using AutoTimm.Interpretation.Methods;
using AutoTimm.Interpretation.Tests.Models;
using AutoTimm.Models;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Tests.Methods;

public sealed class IntegratedGradientsTests
{
    [Theory]
    [InlineData(IntegrationMethod.GaussLegendre)]
    [InlineData(IntegrationMethod.RiemannLeft)]
    [InlineData(IntegrationMethod.RiemannRight)]
    [InlineData(IntegrationMethod.RiemannMiddle)]
    [InlineData(IntegrationMethod.RiemannTrapezoid)]
    public void Should_equal_input_minus_baseline_times_weights_on_a_linear_model(IntegrationMethod method)
    {
        using var model = new LinearNet(1);
        using var x = randn(1, 3, 4, 4, generator: new TorchSharp.torch.Generator((ulong)2));
        using var ig = new IntegratedGradients(model, IgBaseline.Black, steps: 7, method: method, internalBatchSize: 3);
        var heatmap = ig.Explain(x, targetClass: 1);

        using var baseline = ig.BaselineFor(x);
        using var expected = ((x - baseline).flatten() * model.Fc.weight![1]).contiguous();
        var expectedValues = expected.data<float>().ToArray();
        for (int i = 0; i < expectedValues.Length; i++) Assert.Equal(expectedValues[i], heatmap.Attributions![i], 5);
        Assert.True(Math.Abs(heatmap.ConvergenceDelta!.Value) < 1e-4);
    }

    [Fact]
    public void Should_use_black_and_white_images_pushed_through_the_normalization()
    {
        using var model = new LinearNet();
        using var x = zeros(1, 3, 4, 4);
        using var black = new IntegratedGradients(model, IgBaseline.Black).BaselineFor(x);
        using var white = new IntegratedGradients(model, IgBaseline.White).BaselineFor(x);
        Assert.Equal((0 - 0.5f) / 0.2f, black[0, 0, 2, 2].item<float>(), 5);
        Assert.Equal((0 - 0.3f) / 0.5f, black[0, 2, 0, 0].item<float>(), 5);
        Assert.Equal((1 - 0.4f) / 0.25f, white[0, 1, 3, 1].item<float>(), 5);
    }

    [Fact]
    public void Should_integrate_polynomials_exactly_with_gauss_legendre()
    {
        var (alphas, weights) = Quadrature.Rule(IntegrationMethod.GaussLegendre, 5);
        Assert.Equal(1.0, weights.Sum(), 12);
        // Exact for degree <= 9: integral of t^9 over [0,1] is 1/10.
        Assert.Equal(0.1, alphas.Zip(weights, (a, w) => w * Math.Pow(a, 9)).Sum(), 12);
        Assert.True(alphas.SequenceEqual(alphas.Order()));
    }

    [Fact]
    public void Should_shrink_the_completeness_error_as_steps_grow_fastest_with_gauss_legendre()
    {
        // A smooth model (GELU, softmax) off the origin: quadrature error is real and decreases with steps.
        using var vit = AttentionMethodsTests.Vit(2, 4);
        using var x = randn(1, 3, 16, 16, generator: new TorchSharp.torch.Generator(8));
        double Delta(int steps, IntegrationMethod method) =>
            Math.Abs(new IntegratedGradients(vit, IgBaseline.Black, steps, method).Explain(x, 0).ConvergenceDelta!.Value);
        double right4 = Delta(4, IntegrationMethod.RiemannRight), right16 = Delta(16, IntegrationMethod.RiemannRight);
        double right64 = Delta(64, IntegrationMethod.RiemannRight), gauss16 = Delta(16, IntegrationMethod.GaussLegendre);
        string values = $"right4 {right4:E3}, right16 {right16:E3}, right64 {right64:E3}, gauss16 {gauss16:E3}";
        Assert.True(right64 < right4, values);
        Assert.True(gauss16 < right16 / 10, values);
        Assert.True(gauss16 < 1e-4, values);
    }

    [Fact]
    public void Should_give_identical_attributions_batched_and_one_by_one()
    {
        using var model = ModelZoo.Create("resnet10_tiny", 3);
        using var x = randn(3, 3, 16, 16, generator: new TorchSharp.torch.Generator((ulong)10));
        using var ig = new IntegratedGradients(model, IgBaseline.Zeros, steps: 8, internalBatchSize: 5);
        var batched = ig.ExplainBatch(x, [0, 1, 2], batchSize: 2);
        for (int i = 0; i < 3; i++)
        {
            var single = ig.Explain(x[i], i);
            for (int p = 0; p < single.Attributions!.Length; p++)
                Assert.Equal(single.Attributions[p], batched[i].Attributions![p], 4);
        }
    }
}
