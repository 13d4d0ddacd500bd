using AutoTimm.Imaging;
using AutoTimm.Interpretation.Features;
using AutoTimm.Interpretation.Training;
using AutoTimm.Models;
using AutoTimm.Tests.Fixtures;
using AutoTimm.Tests.Training;
using AutoTimm.Training;
using AutoTimm.Training.Loggers;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Tests.Training;

/// <summary>A real short training run with both callbacks, its TensorBoard events and CSV artifacts read back.</summary>
public sealed class TrainingCallbacksTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("callbacks-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Should_log_explanations_and_feature_statistics_while_training()
    {
        manual_seed(11);
        // The toy task's 16x16 images are model input as they are.
        using var model = ModelZoo.Create("resnet10_tiny", 4, new PreprocessConfig { Height = 16, Width = 16 });
        var validation = new QuadrantBatches(4, 8, 99);
        var samples = validation.Batches(0).First();
        var sampleImages = Enumerable.Range(0, 2).Select(i => ImageInput.FromTensor(samples.Images[i].clone())).ToList();
        var interpretation = new InterpretationCallback(sampleImages, "gradcam", logEveryNEpochs: 1, numSamples: 2,
            labels: [(int)samples.Targets[0].item<long>(), null]);
        var monitor = new FeatureMonitorCallback(["layer2", "layer4"], logEveryNEpochs: 1, numBatches: 3);
        var logs = Path.Combine(_dir, "logs");
        using (var logger = TrainingLoggers.Create("tensorboard,csv", logs))
        {
            new AutoTrainer(new TrainerOptions
            {
                MaxEpochs = 2, LearningRate = 3e-3, WeightDecay = 0, Seed = 7, Logger = logger, Callbacks = [interpretation, monitor],
                CheckpointDir = Path.Combine(_dir, "checkpoints"),
            }).Fit(model, new QuadrantBatches(6, 8, 1), validation);
        }

        // Exactly 3 of the 4 validation batches, as measured by hand on the trained model.
        Assert.Equal(3, monitor.BatchesMeasured);
        var viz = new FeatureVisualizer(model);
        var expected = new ActivationSummary("layer4");
        foreach (var batch in validation.Batches(1).Take(3))
            using (batch)
                expected.Add(viz.Spatial(Capture(model, "layer4", batch.Images), "layer4"));
        var measured = monitor.LastStatistics["layer4"];
        var reference = expected.Statistics();
        Assert.Equal(reference.Mean, measured.Mean, 1e-9 * Math.Abs(reference.Mean));
        Assert.Equal(reference.Max, measured.Max);
        Assert.Equal(reference.Sparsity, measured.Sparsity);

        // The event file has the images, the feature scalars and histograms, per epoch.
        var values = TfRecordReader.Values(Directory.GetFiles(Path.Combine(logs, "tensorboard"), "events.out.tfevents.*").Single());
        var images = values.Where(v => v.Value.ContainsKey(4)).ToList();
        Assert.Equal(["interpretation/gradcam/sample0", "interpretation/gradcam/sample1"], images.Select(v => v.Tag).Distinct().Order());
        Assert.Equal(4, images.Count); // 2 samples x 2 epochs
        var png = (byte[])TfRecordReader.Fields((byte[])images[0].Value[4][0])[4][0];
        Assert.Equal((16, 16), (ImageIO.Load(png).Width, ImageIO.Load(png).Height));
        foreach (var layer in new[] { "layer2", "layer4" })
        {
            Assert.Equal(2, values.Count(v => v.Tag == $"features/{layer}/activations" && v.Value.ContainsKey(5)));
            foreach (var stat in new[] { "mean", "std", "sparsity", "max" })
                Assert.Equal(2, values.Count(v => v.Tag == $"features/{layer}/{stat}" && v.Value.ContainsKey(2)));
        }
        Assert.Contains(values, v => v.Tag == "interpretation/gradcam/sample0" && v.Value.ContainsKey(8));
        Assert.Equal(2, interpretation.Logged);

        // The CSV logger lists each overlay, written as a PNG artifact per step.
        var rows = File.ReadAllLines(Path.Combine(logs, "metrics.csv")).Where(l => l.Contains(",interpretation/gradcam/sample", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, rows.Count);
        foreach (var row in rows)
        {
            var artifact = Path.Combine(logs, row.Split(',')[2]);
            Assert.StartsWith("artifacts/step-", row.Split(',')[2], StringComparison.Ordinal);
            Assert.Equal(16, ImageIO.Load(artifact).Width);
        }
    }

    [Fact]
    public void Should_refuse_a_missing_layer_before_the_first_epoch()
    {
        using var model = ModelZoo.Create("resnet10_tiny", 4);
        var monitor = new FeatureMonitorCallback(["layer9"]);
        var trainer = new AutoTrainer(new TrainerOptions { MaxEpochs = 1, Callbacks = [monitor], CheckpointDir = Path.Combine(_dir, "c") });

        var e = Assert.ThrowsAny<ArgumentException>(() => trainer.Fit(model, new QuadrantBatches(2, 4, 1), new QuadrantBatches(1, 4, 2)));

        Assert.Contains("layer9", e.Message);
        Assert.Equal(0, monitor.BatchesMeasured);
    }

    private static Tensor Capture(VisionModel model, string layer, Tensor images)
    {
        Tensor? captured = null;
        var module = (nn.Module<Tensor, Tensor>)ModuleLookup.Resolve(model, layer);
        var hook = module.register_forward_hook((_, _, output) => { captured = output.detach().clone(); return output; });
        try
        {
            using var mode = new EvalModeScope(model);
            using var _ = no_grad();
            model.forward(images);
        }
        finally
        {
            hook.remove();
        }
        return captured!;
    }
}
