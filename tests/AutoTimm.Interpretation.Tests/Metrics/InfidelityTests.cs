using AutoTimm.Interpretation.Metrics;
using AutoTimm.Interpretation.Tests.Models;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Tests.Metrics;

/// <summary>Infidelity and faithfulness correlation on a linear model, where the exact attributions are known.</summary>
public sealed class InfidelityTests
{
    [Fact]
    public void Should_be_zero_for_the_gradient_of_a_linear_model_and_scale_free_when_normalized()
    {
        using var model = new LinearNet(seed: 5);
        using var x = randn(1, 3, 4, 4, generator: new TorchSharp.torch.Generator(3));
        var gradient = model.Fc.weight![2].detach().data<float>().ToArray();
        var options = new InfidelityOptions { Samples = 7, BatchSize = 3 };
        // f(x) - f(x - I) = w . I exactly: the gradient explains every perturbation.
        Assert.Equal(0, Infidelity.Compute(model, x, gradient, 2, options).Value.Value, 8);
        // Twice the gradient misses by w . I each time: the mean of (w . I)^2 ...
        var doubled = gradient.Select(v => 2 * v).ToArray();
        var result = Infidelity.Compute(model, x, doubled, 2, options);
        Assert.Equal(result.ScoreChange.Average(c => c * c), result.Value.Value, 6);
        Assert.All(result.AttributionDotPerturbation.Zip(result.ScoreChange), p => Assert.Equal(2 * p.Second, p.First, 5));
        // ... and normalization finds beta = 1/2.
        var normalized = Infidelity.Compute(model, x, doubled, 2, options with { Normalize = true });
        Assert.Equal(0.5, normalized.Beta, 6);
        Assert.Equal(0, normalized.Value.Value, 8);
        // A map of H*W values is shared by the three channels.
        Assert.Equal(7, Infidelity.Compute(model, x, new float[16], 2, options).ScoreChange.Count);
        Assert.Throws<ArgumentException>(() => Infidelity.Compute(model, x, new float[15], 2, options));
    }

    [Fact]
    public void Should_correlate_perfectly_when_the_map_is_each_pixels_exact_contribution()
    {
        using var model = new LinearNet(seed: 6);
        using var x = randn(1, 3, 4, 4, generator: new TorchSharp.torch.Generator(4));
        // Zeroing pixel p lowers the logit by sum_c w[c,p] x[c,p].
        using var contribution = (model.Fc.weight![0].reshape(3, 4, 4) * x[0]).sum(0L).detach();
        var map = contribution.data<float>().ToArray();
        var options = new FaithfulnessCorrelationOptions { Runs = 20, SubsetSize = 3, Score = TrackedScore.Logit, BatchSize = 7, Seed = 2 };
        var result = FaithfulnessCorrelation.Compute(model, x, map, 0, options);
        Assert.Equal(1, result.Correlation.Value, 6);
        Assert.Equal(3, result.SubsetSize);
        Assert.All(result.SaliencySums.Zip(result.ScoreDrops), p => Assert.Equal(p.First, p.Second, 1e-5));
        // A subset larger than half the image is capped.
        Assert.Equal(8, FaithfulnessCorrelation.Compute(model, x, map, 0, options with { SubsetSize = 100 }).SubsetSize);
        // A constant map has no variance across subsets: undefined, with the reason.
        var flat = FaithfulnessCorrelation.Compute(model, x, new float[16], 0, options);
        Assert.Contains("constant map", flat.Correlation.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_give_defined_results_or_a_reason_for_a_model_whose_score_never_changes()
    {
        using var model = new LinearNet(seed: 1);
        using (no_grad()) model.Fc.weight!.zero_();
        using var x = randn(1, 3, 4, 4, generator: new TorchSharp.torch.Generator(5));
        var map = Enumerable.Range(0, 16).Select(i => (float)i).ToArray();
        var correlation = FaithfulnessCorrelation.Compute(model, x, map, 1, new FaithfulnessCorrelationOptions { Runs = 10, SubsetSize = 3 });
        Assert.Contains("does not change", correlation.Correlation.Reason, StringComparison.Ordinal);
        // Curves are flat at the constant probability; ROAD changes nothing: all exact, none undefined.
        var (deletion, insertion) = DeletionInsertion.Compute(model, x, map, 1);
        Assert.Equal(deletion.Scores[0], deletion.Auc, 6);
        Assert.Equal(insertion.Scores[0], insertion.Auc, 6);
        Assert.All(Road.Compute(model, x, map, 1).MostRelevantFirst, v => Assert.Equal(0, v, 6));
    }
}
