using AutoTimm.Imaging;
using AutoTimm.Interpretation.Methods;
using AutoTimm.Interpretation.Tests.Models;
using AutoTimm.Models;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Tests.Engine;

/// <summary>Explanations from 8 threads at once equal sequential ones, on a shared model and on separate ones.</summary>
public sealed class ConcurrencyTests
{
    private const int Threads = 8;

    private static Tensor Images() => randn(Threads, 3, 8, 8, generator: new TorchSharp.torch.Generator(17));

    private static (float[] GradCam, float[] Ig) ExplainOne(ImageClassifier model, Tensor image, int target)
    {
        using var gradCam = new GradCam(model);
        using var ig = new IntegratedGradients(model, IgBaseline.Zeros, steps: 8);
        return (gradCam.Explain(image, target).Raw, ig.Explain(image, target).Raw);
    }

    private static void AssertEqual((float[] GradCam, float[] Ig) expected, (float[] GradCam, float[] Ig) actual)
    {
        // The same computation on the same data: equal up to float32 rounding of kernels chosen per call.
        Assert.All(expected.GradCam.Zip(actual.GradCam), p => Assert.Equal(p.First, p.Second, 1e-5f));
        Assert.All(expected.Ig.Zip(actual.Ig), p => Assert.Equal(p.First, p.Second, 1e-5f));
    }

    [Fact]
    public async Task Should_give_eight_threads_on_one_shared_model_their_sequential_results()
    {
        using var model = new TinyConvNet(seed: 21);
        bool training = model.training;
        using var images = Images();
        var sequential = Enumerable.Range(0, Threads).Select(i => ExplainOne(model, images[i], i % 3)).ToArray();
        using var start = new Barrier(Threads);
        var parallel = await Task.WhenAll(Enumerable.Range(0, Threads).Select(i => Task.Run(() =>
        {
            start.SignalAndWait();
            return Enumerable.Range(0, 5).Select(_ => ExplainOne(model, images[i], i % 3)).ToArray();
        })));
        for (int i = 0; i < Threads; i++)
            foreach (var run in parallel[i]) AssertEqual(sequential[i], run);
        // Every module's flag is restored, whatever order the threads finished in.
        Assert.Equal(training, model.training);
    }

    [Fact]
    public async Task Should_run_separate_models_in_parallel_and_the_high_level_api_on_a_shared_one()
    {
        using var images = Images();
        using var reference = new TinyConvNet(seed: 22);
        var sequential = Enumerable.Range(0, Threads).Select(i => ExplainOne(reference, images[i], 1)).ToArray();
        var separate = await Task.WhenAll(Enumerable.Range(0, Threads).Select(i => Task.Run(() =>
        {
            using var own = new TinyConvNet(seed: 22);
            return ExplainOne(own, images[i], 1);
        })));
        for (int i = 0; i < Threads; i++) AssertEqual(sequential[i], separate[i]);

        var viaApi = await Task.WhenAll(Enumerable.Range(0, Threads).Select(i => Task.Run(() =>
            Explain.Prediction(reference, ImageInput.FromTensor(images[i]), "gradcam", targetClass: 1).Heatmap!.Raw)));
        for (int i = 0; i < Threads; i++) Assert.All(sequential[i].GradCam.Zip(viaApi[i]), p => Assert.Equal(p.First, p.Second, 1e-5f));
    }
}
