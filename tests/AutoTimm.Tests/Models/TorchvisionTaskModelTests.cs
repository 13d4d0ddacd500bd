using AutoTimm.Imaging;
using AutoTimm.Models;
using AutoTimm.Models.Architectures;
using AutoTimm.Tests.Fixtures;
using static TorchSharp.torch;

namespace AutoTimm.Tests.Models;

/// <summary>
/// Detectors and segmenters import torchvision's weights by name and give torchvision's outputs: FCOS's dense head
/// outputs and post-processed detections, FCN's and DeepLabV3's logits (fixtures from make_detection_fixtures.py,
/// torchvision's own classes around the small backbone).
/// </summary>
public sealed class TorchvisionTaskModelTests
{
    private static float MaxAbsDiff(Tensor a, Tensor b) => (a - b).abs().max().item<float>();

    private static float[] Values(string file)
    {
        using var t = Npy.Load(FixturePaths.PyTorch(file));
        return t.data<float>().ToArray();
    }

    [Fact]
    public void Should_give_torchvision_fcos_dense_outputs_and_detections_after_import()
    {
        using var model = ObjectDetector.LoadFromCheckpoint(FixturePaths.PyTorch("fcos_tiny.pth"), "fcos_resnet10_tiny_fpn");
        Assert.Equal(10, model.NumClasses);
        using var input = Npy.Load(FixturePaths.PyTorch("fcos_tiny_input.npy"));
        using var expectedDense = Npy.Load(FixturePaths.PyTorch("fcos_tiny_dense.npy"));
        using var output = model.call(input);
        var layout = DenseDetectionLayout.Of(output);
        Assert.Equal(expectedDense.shape[0], output.shape[1]);
        using var predictions = output[0].narrow(1, 0, layout.Centerness + 1);
        // Float32 sums of a few thousand terms of size ~1: a few 1e-6 apart between summation orders.
        Assert.True(MaxAbsDiff(predictions, expectedDense) <= 1e-4, $"dense max abs diff {MaxAbsDiff(predictions, expectedDense)}");

        var detections = model.Detect(input)[0];
        var boxes = Values("fcos_tiny_boxes.npy");
        var scores = Values("fcos_tiny_scores.npy");
        var labels = Values("fcos_tiny_labels.npy");
        // Detections whose scores differ by less than their rounding error (random weights give many scores near
        // 0.56, some 1e-7 apart) come out in either order depending on the host's kernels, and at the cut-off of
        // DetectionsPerImage either one may be kept. So each detection is matched to an expected one of the same
        // label, score and box, in any order within the score tolerance; an expected detection may go unmatched only
        // when its score ties the last one kept.
        const float scoreTolerance = 1e-4f, boxTolerance = 1e-3f;
        Assert.Equal(scores.Length, detections.Count);
        var unmatched = Enumerable.Range(0, scores.Length).ToList();
        float lastKept = detections[^1].Score;
        for (int i = 0; i < detections.Count; i++)
        {
            var d = detections[i];
            var box = d.Box.ToArray();
            int match = unmatched.FindIndex(j => (int)labels[j] == d.Label && Math.Abs(d.Score - scores[j]) <= scoreTolerance
                && Enumerable.Range(0, 4).All(c => Math.Abs(box[c] - boxes[4 * j + c]) <= boxTolerance));
            if (match >= 0) unmatched.RemoveAt(match);
            else Assert.True(Math.Abs(d.Score - scores[^1]) <= scoreTolerance,
                $"detection {i} (label {d.Label}, score {d.Score}, box {string.Join(",", box)}) matches no expected detection");
            if (i > 0) Assert.True(d.Score <= detections[i - 1].Score, $"detection {i} is out of score order");
        }
        foreach (int j in unmatched)
            Assert.True(Math.Abs(scores[j] - lastKept) <= scoreTolerance, $"expected detection {j} (score {scores[j]}) is missing");
        Assert.True(unmatched.Count < 5, $"{unmatched.Count} expected detections unmatched");
    }

    [Theory]
    [InlineData("fcn_tiny.pth", "fcn_resnet10_tiny")]
    [InlineData("deeplabv3_tiny.pth", "deeplabv3_resnet10_tiny")]
    public void Should_give_torchvision_segmentation_logits_after_import(string file, string arch)
    {
        using var model = SemanticSegmentor.LoadFromCheckpoint(FixturePaths.PyTorch(file), arch);
        Assert.Equal(11, model.NumClasses);
        using var input = Npy.Load(FixturePaths.PyTorch("seg_tiny_input.npy"));
        using var expected = Npy.Load(FixturePaths.PyTorch(file.Replace(".pth", "_logits.npy", StringComparison.Ordinal)));
        using var logits = model.call(input);
        Assert.Equal(expected.shape, logits.shape);
        Assert.True(MaxAbsDiff(logits, expected) <= 1e-4, $"max abs diff {MaxAbsDiff(logits, expected)}");
    }

    [Fact]
    public void Should_refuse_a_detector_checkpoint_where_a_classifier_is_expected()
    {
        var e = Assert.Throws<ArgumentException>(() => ImageClassifier.LoadFromCheckpoint(FixturePaths.PyTorch("fcos_tiny.pth"), "fcos_resnet10_tiny_fpn"));
        Assert.Contains("ObjectDetector", e.Message, StringComparison.Ordinal);
        Assert.Contains("not a ImageClassifier", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_keep_torchvision_parameter_names_for_fcos_resnet50_and_the_dilated_segmenters()
    {
        using var fcos = ModelZoo.CreateModel(ModelZoo.ConfigFor("fcos_resnet50_fpn", 91));
        var names = fcos.state_dict().Keys.ToHashSet();
        Assert.Contains("backbone.body.layer4.2.conv3.weight", names);
        Assert.Contains("backbone.fpn.inner_blocks.0.0.weight", names);
        Assert.Contains("backbone.fpn.extra_blocks.p7.weight", names);
        Assert.Contains("head.classification_head.conv.9.weight", names);
        Assert.Contains("head.regression_head.bbox_ctrness.bias", names);
        Assert.Equal([256L, 256, 3, 3], fcos.state_dict()["backbone.fpn.extra_blocks.p6.weight"].shape);
        using var deeplab = ModelZoo.CreateModel(ModelZoo.ConfigFor("deeplabv3_resnet50", 21));
        var state = deeplab.state_dict();
        Assert.Equal([256L, 2048, 3, 3], state["classifier.0.convs.3.0.weight"].shape);
        Assert.Equal([256L, 2048, 1, 1], state["classifier.0.convs.4.1.weight"].shape);
        // Dilated layer4: the 3x3 convolution keeps the resolution (output stride 8).
        deeplab.eval();
        using var logits = deeplab.call(zeros(1, 3, 64, 64));
        Assert.Equal([1L, 21, 64, 64], logits.shape);
    }
}
