using AutoTimm.Interpretation.Engine;
using AutoTimm.Interpretation.Methods;
using AutoTimm.Interpretation.Metrics;
using AutoTimm.Interpretation.Targets;
using AutoTimm.Interpretation.Tests.Models;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Tests.Metrics;

/// <summary>Integrated Gradients completeness and the cascading randomization check.</summary>
public sealed class CompletenessAndRandomizationTests
{
    [Fact]
    public void Should_report_completeness_that_shrinks_with_more_steps()
    {
        using var model = new TinyConvNet(seed: 3);
        using var x = randn(1, 3, 8, 8, generator: new TorchSharp.torch.Generator(5)) * 2;
        using var coarse = new IntegratedGradients(model, IgBaseline.Zeros, steps: 2, method: IntegrationMethod.RiemannTrapezoid);
        using var fine = new IntegratedGradients(model, IgBaseline.Zeros, steps: 64, method: IntegrationMethod.GaussLegendre);
        var a = Completeness.Compute(coarse, x, 1);
        var b = Completeness.Compute(fine, x, 1);
        using var _ = no_grad();
        double expected = (model.call(x)[0, 1] - model.call(zeros_like(x))[0, 1]).item<float>();
        Assert.Equal(expected, a.OutputDifference, 4);
        Assert.Equal(expected, b.OutputDifference, 4);
        Assert.True(b.Absolute < a.Absolute, $"{b.Absolute} should be below {a.Absolute}");
        Assert.True(b.Relative.Value < 1e-3);
        Assert.Equal(64, b.Steps);
        Assert.Equal(IntegrationMethod.GaussLegendre, b.Integration);
    }

    private static byte[][] Bytes(TorchSharp.torch.nn.Module model) =>
        model.parameters().Concat(model.buffers()).Select(t => t.detach().cpu().bytes.ToArray()).ToArray();

    [Fact]
    public void Should_randomize_from_the_top_decorrelate_gradcam_and_restore_every_weight_bit_for_bit()
    {
        using var model = new TinyConvNet(seed: 7);
        var before = Bytes(model);
        using var gradCam = new GradCam(model);
        using var x = randn(3, 3, 8, 8, generator: new TorchSharp.torch.Generator(6));
        var result = ParameterRandomization.Compute(gradCam, x, [0, 1, 2], new RandomizationOptions { Seed = 3 });
        Assert.Equal(["fc", "conv"], result.Steps.Select(s => s.Layer));
        Assert.All(result.Steps.SelectMany(s => s.Correlations).Where(c => c.IsDefined), c => Assert.InRange(c.Value, -1, 1));
        Assert.Equal(before, Bytes(model));
        // The same seed gives the same cascade.
        var again = ParameterRandomization.Compute(gradCam, x, [0, 1, 2], new RandomizationOptions { Seed = 3 });
        Assert.Equal(result.Steps[1].Correlations, again.Steps[1].Correlations);
    }

    /// <summary>GradCAM that fails on its second call, after the first layer was randomized.</summary>
    private sealed class FailingExplainer(TinyConvNet model) : Explainer(model)
    {
        private readonly GradCam _inner = new(model);
        private int _calls;

        public override string Method => "failing";

        public override RawExplanation Compute(ExplanationSession session, Tensor inputs, IReadOnlyList<IExplanationTarget?> targets) =>
            ++_calls == 2 ? throw new InvalidOperationException("boom") : _inner.Compute(session, inputs, targets);
    }

    [Fact]
    public void Should_restore_the_weights_when_an_explanation_fails_midway()
    {
        using var model = new TinyConvNet(seed: 8);
        var before = Bytes(model);
        using var failing = new FailingExplainer(model);
        using var x = randn(1, 3, 8, 8);
        Assert.Throws<InvalidOperationException>(() => ParameterRandomization.Compute(failing, x, [0]));
        Assert.Equal(before, Bytes(model));
    }

    [Fact]
    public void Should_randomize_in_the_reverse_of_the_forward_order_whatever_the_registration_order()
    {
        // The ResNet registers fc before its stages; the cascade must still start at the logits.
        using var model = AutoTimm.Models.ModelZoo.Create("resnet10_tiny", 4);
        using var probe = randn(1, 3, 16, 16);
        var layers = ParameterRandomization.Layers(model, probe).Select(l => l.Name).ToList();
        Assert.Equal("fc", layers[0]);
        Assert.Equal(["bn1", "conv1"], layers[^2..]);
        Assert.True(layers.IndexOf("layer4.0.conv2") < layers.IndexOf("layer1.0.conv1"));
        Assert.Equal(model.named_modules().Count(m => m.module.named_parameters(recurse: false).Any()), layers.Count);
    }

    [Fact]
    public void Should_reinitialize_like_pytorch_reset_parameters()
    {
        using var model = new TinyConvNet(seed: 8);
        ParameterRandomization.Reinitialize(model.Conv, 1);
        double bound = 1 / Math.Sqrt(3 * 3 * 3);
        var weights = model.Conv.weight!.detach().data<float>().ToArray();
        Assert.All(weights, v => Assert.InRange(v, -bound, bound));
        Assert.True(weights.Max() - weights.Min() > bound);   // spread over the range, not a constant
    }
}
