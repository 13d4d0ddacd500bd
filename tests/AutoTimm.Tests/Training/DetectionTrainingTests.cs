using AutoTimm.Data;
using AutoTimm.Imaging;
using AutoTimm.Models;
using AutoTimm.Tests.Fixtures;
using AutoTimm.Training;
using static TorchSharp.torch;

namespace AutoTimm.Tests.Training;

/// <summary>FCOS's objective against torchvision's, COCO-style AP by hand, and the multi-object batches.</summary>
public sealed class DetectionTrainingTests
{
    [Fact]
    public void Should_compute_torchvision_fcos_losses_for_the_same_outputs_and_targets()
    {
        using var model = ObjectDetector.LoadFromCheckpoint(FixturePaths.PyTorch("fcos_tiny.pth"), "fcos_resnet10_tiny_fpn");
        using var input = Npy.Load(FixturePaths.PyTorch("fcos_tiny_input.npy"));
        using var targets = Npy.Load(FixturePaths.PyTorch("fcos_tiny_loss_targets.npy"));
        using var expected = Npy.Load(FixturePaths.PyTorch("fcos_tiny_loss.npy"));
        var want = expected.data<float>().ToArray();
        using var output = model.call(input);
        var terms = new DetectionObjective().Terms(output, targets);
        Assert.True(terms.Positives > 0);
        // Sums over ~7700 focal terms and the positives: float32 rounding, well under 1e-4 relative.
        Assert.Equal(want[0], terms.Classification.item<float>(), want[0] * 1e-4f);
        Assert.Equal(want[1], terms.BoxRegression.item<float>(), 1e-4f);
        Assert.Equal(want[2], terms.Centerness.item<float>(), 1e-4f);
    }

    [Fact]
    public void Should_ignore_padding_rows_and_count_no_positive_for_an_empty_image()
    {
        using var model = ObjectDetector.LoadFromCheckpoint(FixturePaths.PyTorch("fcos_tiny.pth"), "fcos_resnet10_tiny_fpn");
        using var input = Npy.Load(FixturePaths.PyTorch("fcos_tiny_input.npy"));
        using var output = model.call(input);
        using var padded = full(1, 3, 5, -1f);
        var terms = new DetectionObjective().Terms(output, padded);
        Assert.Equal(0, terms.Positives);
        Assert.Equal(0f, terms.BoxRegression.item<float>());
        Assert.True(terms.Classification.item<float>() > 0);
    }

    [Fact]
    public void Should_compute_coco_style_average_precision_by_hand()
    {
        var truth = new[] { new BoundingBox(0, 0, 10, 10), new BoundingBox(20, 20, 30, 30) };
        // Best first: a hit, a miss (no overlap), a hit. Precision 1, 1/2, 2/3 at recall 1/2, 1/2, 1;
        // made monotone: 1 up to recall 1/2, 2/3 beyond. 101-point: 51 points at 1, 50 at 2/3.
        var detections = new List<(BoundingBox, float)> { (new BoundingBox(0, 0, 10, 10), 0.9f), (new BoundingBox(50, 50, 60, 60), 0.8f), (new BoundingBox(21, 21, 30, 30), 0.7f) };
        var ap = AveragePrecision.Compute([detections], [truth], 0.5f);
        Assert.Equal((51 * 1.0 + 50 * (2.0 / 3)) / 101, ap, 12);
        // At IoU 0.9 the third (IoU 0.81) misses: recall stops at 1/2.
        Assert.Equal(51.0 / 101, AveragePrecision.Compute([detections], [truth], 0.9f), 12);
        // A duplicate of a matched box is a false positive.
        var duplicate = new List<(BoundingBox, float)> { (truth[0], 0.9f), (truth[0], 0.8f) };
        Assert.Equal(51.0 / 101, AveragePrecision.Compute([duplicate], [truth], 0.5f), 12);
        Assert.True(double.IsNaN(AveragePrecision.Compute([detections], [Array.Empty<BoundingBox>()], 0.5f)));
    }

    [Fact]
    public void Should_learn_to_detect_in_a_few_steps_with_the_trainer()
    {
        var source = AutoTimm.Tests.Data.FakeFashionMnist.Split(40, test: false);
        var options = MultiObjectTraining.CanvasOptions(64);
        var preprocess = ModelZoo.DefaultPreprocess("fcos_resnet10_tiny_fpn") with { Height = 64, Width = 64 };
        var data = new MultiObjectBatchSource(new MultiObjectCanvasGenerator(source, 5, options), 16, 8, ModelTask.ObjectDetector, preprocess);
        var first = data.Batches(0).First();
        Assert.Equal([8L, 3, 64, 64], first.Images.shape);
        Assert.Equal([8L, options.MaxObjects, 5], first.Targets.shape);
        var canvas = data.Canvas(0);
        Assert.Equal(canvas.Objects[0].Box.ToArray(), first.Targets[0][0].narrow(0, 0, 4).data<float>().ToArray());
        Assert.Equal(canvas.Objects[0].Label, (int)first.Targets[0][0][4].item<float>());
        first.Dispose();

        manual_seed(1);
        using var model = ModelZoo.CreateModel(ModelZoo.ConfigFor("fcos_resnet10_tiny_fpn", 10, preprocess));
        var trainer = new AutoTrainer(new TrainerOptions { MaxEpochs = 6, LearningRate = 3e-3, Objective = new DetectionObjective(), MonitorMetric = "val_map50" });
        var fit = trainer.Fit(model, data, data);
        var losses = fit.History.Select(h => h.Metrics["train_loss"]).ToArray();
        Assert.True(losses[^1] < 0.8 * losses[0], $"train loss {string.Join(", ", losses)}");
        Assert.All(fit.History, h => Assert.InRange(h.Metrics["val_map50"], 0, 1));
    }
}
