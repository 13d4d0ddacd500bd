using AutoTimm.Interpretation.Engine;
using AutoTimm.Interpretation.Methods;
using AutoTimm.Interpretation.Tests.Models;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Tests.Methods;

public sealed class BaselineExplainerTests
{
    [Fact]
    public void Should_draw_the_same_random_map_for_an_image_alone_or_in_a_batch_and_a_new_one_for_another_seed()
    {
        using var model = new TinyConvNet();
        using var x = randn(3, 3, 8, 8, generator: new TorchSharp.torch.Generator(2));
        using var random = (BaselineExplainer)MethodRegistry.Create("random", model);
        var batch = random.ExplainBatch(x);
        Assert.Equal(batch[0].Raw, random.Explain(x[0]).Raw);
        // At any position and with any chunking: image 2 alone, first in a batch, and last in chunks of 2.
        Assert.Equal(batch[2].Raw, random.Explain(x[2]).Raw);
        Assert.Equal(batch[2].Raw, random.ExplainBatch(x.flip(0))[0].Raw);
        Assert.Equal(batch[2].Raw, random.ExplainBatch(x, batchSize: 2)[2].Raw);
        Assert.NotEqual(batch[0].Raw, batch[1].Raw);
        using var other = MethodRegistry.Create("random", model, ExplanationOptions.Default.With(new BaselineOptions { Seed = 9 }));
        Assert.NotEqual(batch[0].Raw, other.Explain(x[0]).Raw);
        Assert.All(batch[0].Raw, v => Assert.InRange(v, 0f, 1f));
        Assert.Equal(batch[0].Prediction.TopClass, model.Predict(x[0].unsqueeze(0))[0].PredictedClass);
    }

    [Fact]
    public void Should_centre_a_gaussian_with_a_quarter_side_sigma()
    {
        using var model = new TinyConvNet();
        using var x = randn(1, 3, 8, 8);
        using var center = MethodRegistry.Create("center", model);
        var map = center.Explain(x);
        // Centre at (3.5, 3.5), sigma 2: pixel (3,3) is 0.5 px off on each axis, pixel (0,0) 3.5 px.
        Assert.Equal(Math.Exp(-(0.25 + 0.25) / 8), map.Raw[3 * 8 + 3], 5);
        Assert.Equal(Math.Exp(-(12.25 + 12.25) / 8), map.Raw[0], 5);
        Assert.Equal(map.Raw[3 * 8 + 3], map.Raw[4 * 8 + 4], 6);
        Assert.False(MethodRegistry.Get("center").RunsByDefault);
        Assert.Throws<ArgumentOutOfRangeException>(() => MethodRegistry.Create("center", model, ExplanationOptions.Default.With(new BaselineOptions { CenterSigma = 0 })));
    }
}
