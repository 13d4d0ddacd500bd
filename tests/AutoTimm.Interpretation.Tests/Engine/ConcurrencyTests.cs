using AutoTimm.Imaging;
using AutoTimm.Interpretation.Methods;
using AutoTimm.Interpretation.Metrics;
using AutoTimm.Interpretation.Tests.Models;
using AutoTimm.Models;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Tests.Engine;

/// <summary>Explanations from 8 threads at once equal sequential ones, on a shared model and on separate ones, also under forced garbage collections.</summary>
[Collection(nameof(ConcurrencyTests))]
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
        // Built one after another: initialisation draws from libtorch's global generator, which threads would interleave.
        var models = Enumerable.Range(0, Threads).Select(_ => new TinyConvNet(seed: 22)).ToArray();
        var separate = await Task.WhenAll(Enumerable.Range(0, Threads).Select(i => Task.Run(() => ExplainOne(models[i], images[i], 1))));
        foreach (var m in models) m.Dispose();
        for (int i = 0; i < Threads; i++) AssertEqual(sequential[i], separate[i]);

        var viaApi = await Task.WhenAll(Enumerable.Range(0, Threads).Select(i => Task.Run(() =>
            Explain.Prediction(reference, ImageInput.FromTensor(images[i]), "gradcam", targetClass: 1).Heatmap!.Raw)));
        for (int i = 0; i < Threads; i++) Assert.All(sequential[i].GradCam.Zip(viaApi[i]), p => Assert.Equal(p.First, p.Second, 1e-5f));
    }

    [Fact]
    public async Task Should_survive_garbage_collections_forced_from_another_thread_while_explaining()
    {
        // A Scalar made for one native call can be finalized by a collection on another thread while libtorch reads it
        // (docs/torchsharp-notes.md): before the hot paths kept their Scalars, this crashed the test host (residual
        // additions) or failed in IG's step batcher within seconds. A ResNet, so residual blocks run.
        using var model = ModelZoo.Create("resnet10_tiny", 4);
        using var images = randn(8, 3, 16, 16, generator: new TorchSharp.torch.Generator(19));
        var expected = Enumerable.Range(0, 8).Select(i => ExplainOne(model, images[i], i % 4)).ToArray();

        // 240 explanations: without the kept Scalars, enough to fail every time it was run.
        var collections = await WhileCollecting(() =>
        {
            for (int round = 0; round < 30; round++)
                for (int i = 0; i < 8; i++) AssertEqual(expected[i], ExplainOne(model, images[i], i % 4));
        });

        Assert.True(collections > 10);
    }

    /// <summary>Runs <paramref name="work"/> while another thread forces full collections; returns how many ran.</summary>
    private static async Task<int> WhileCollecting(Action work)
    {
        using var stop = new CancellationTokenSource();
        var collector = Task.Run(() =>
        {
            int collections = 0;
            while (!stop.IsCancellationRequested)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                collections++;
            }
            return collections;
        });
        try
        {
            work();
        }
        finally
        {
            await stop.CancelAsync();
        }
        return await collector;
    }

    [Fact]
    public async Task Should_survive_garbage_collections_forced_from_another_thread_while_computing_metrics_and_attention_maps()
    {
        // The same race on the metric, noise and attention paths: every Scalar they pass is kept (TemporaryScalarTests
        // checks the IL); this shows it holds at run time.
        using var cnn = ModelZoo.Create("resnet10_tiny", 4);
        using var vit = ModelZoo.Create("vit_pico_patch8_64", 4);
        using var image = randn(3, 16, 16, generator: new TorchSharp.torch.Generator(23));
        using var vitImage = randn(3, 64, 64, generator: new TorchSharp.torch.Generator(24));
        var saliency = ExplainOne(cnn, image, 1).GradCam;
        using var gradCam = new GradCam(cnn);
        using var rollout = new AttentionRollout(vit, discardRatio: 0.1);
        using var attribution = new TransformerAttribution(vit);
        var work = new (string Name, Func<double[]> Run)[]
        {
            ("deletion/insertion", () => { var (d, i) = DeletionInsertion.Compute(cnn, image, saliency, 1); return [.. d.Scores, .. i.Scores]; }),
            ("faithfulness correlation", () => [.. FaithfulnessCorrelation.Compute(cnn, image, saliency, 1, new FaithfulnessCorrelationOptions { Runs = 20, SubsetSize = 16 }).ScoreDrops]),
            ("infidelity", () => [.. Infidelity.Compute(cnn, image, saliency, 1).ScoreChange]),
            ("sensitivity", () => [.. Sensitivity.Compute(gradCam, image, 1, new SensitivityOptions { Samples = 4 }).PerSample]),
            ("road", () => { var r = Road.Compute(cnn, image, saliency, 1); return [.. r.MostRelevantFirst, .. r.LeastRelevantFirst]; }),
            ("attention rollout", () => [.. rollout.Explain(vitImage, 2).Raw.Select(v => (double)v)]),
            ("transformer attribution", () => [.. attribution.Explain(vitImage, 2).Raw.Select(v => (double)v)]),
        };
        var expected = work.Select(w => w.Run()).ToArray();

        var collections = await WhileCollecting(() =>
        {
            for (int round = 0; round < 4; round++)
                for (int k = 0; k < work.Length; k++) Assert.True(expected[k].SequenceEqual(work[k].Run()), $"{work[k].Name} changed under collections in round {round}");
        });

        Assert.True(collections > 10);
    }
}

/// <summary>
/// Runs the concurrency tests alone, after every parallel test: they load both cores with 8 threads and force
/// collections, which must not reach tests of code paths the stress test does not cover.
/// </summary>
[CollectionDefinition(nameof(ConcurrencyTests), DisableParallelization = true)]
public sealed class ConcurrencyTestsCollection;
