using AutoTimm.Imaging;
using AutoTimm.Interpretation.Adapters;
using AutoTimm.Interpretation.Engine;
using AutoTimm.Interpretation.Targets;
using AutoTimm.Models;
using static AutoTimm.Interpretation.Tests.Reference.ReferenceFixtures;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Tests.Adapters;

/// <summary>Segmentation explanations on torchvision's DeepLabV3 around the small backbone with formula weights (the parity fixture).</summary>
public sealed class SegmentationExplanationTests : IDisposable
{
    private readonly SemanticSegmentor _segmentor = SemanticSegmentor.LoadFromCheckpoint(Path("pytorch/deeplabv3_tiny.pth"), "deeplabv3_resnet10_tiny");
    private readonly Tensor _input = Load("pytorch/seg_tiny_input.npy");

    public SegmentationExplanationTests()
    {
        // The formula weights predict one class everywhere; seeded classifier weights make several classes present.
        using var _ = no_grad();
        var classifier = _segmentor.get_parameter("classifier.4.weight")!;
        classifier.copy_(randn(classifier.shape, generator: new TorchSharp.torch.Generator(3)));
    }

    public void Dispose()
    {
        _segmentor.Dispose();
        _input.Dispose();
    }

    [Fact]
    public void Should_sum_the_class_logit_over_the_predicted_pixels_or_a_given_region()
    {
        var logits = tensor(new float[] { 1, 5, 2, 0, /* class 1 */ 3, 1, 4, 9 }, [2, 2, 2]);
        // Class 1 wins at pixels 0, 2, 3: 3 + 4 + 9.
        Assert.Equal(16f, new MaskRegionTarget(1).Score(logits).item<float>());
        Assert.Equal(5f, new MaskRegionTarget(0).Score(logits).item<float>());
        Assert.Equal(4f, new MaskRegionTarget(1, tensor(new float[] { 0, 1, 0, 0 }, [2, 2]) + tensor(new float[] { 0, 0, 1, 0 }, [2, 2]) - tensor(new float[] { 0, 1, 0, 0 }, [2, 2])).Score(logits).item<float>());
        Assert.Throws<ArgumentException>(() => new MaskRegionTarget(1, zeros(2, 2)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MaskRegionTarget(2).Score(logits));
    }

    [Fact]
    public void Should_measure_uncertainty_by_normalized_entropy_and_by_margin()
    {
        // Pixel 0: certain; pixel 1: a tie between two of four classes.
        var logits = tensor(new float[] { 100, 1, 0, 1, 0, -1e4f, 0, -1e4f }, [4, 1, 2]);
        var entropy = SegmentationUncertainty.Compute(logits, "entropy").flatten().data<float>().ToArray();
        var margin = SegmentationUncertainty.Compute(logits, "margin").flatten().data<float>().ToArray();
        Assert.Equal(0f, entropy[0], 4);
        Assert.Equal(0.5f, entropy[1], 4);     // log 2 / log 4
        Assert.Equal(0f, margin[0], 4);
        Assert.Equal(1f, margin[1], 4);
        Assert.Throws<ArgumentException>(() => SegmentationUncertainty.Compute(logits, "variance"));
    }

    [Fact]
    public void Should_explain_every_present_class_in_one_pass_as_each_alone()
    {
        var image = ImageInput.FromTensor(_input);
        var all = Explain.Segmentation(_segmentor, image, method: "gradcam", allClasses: true);
        Assert.True(all.Classes.Count >= 2, $"{all.Classes.Count} classes present");
        Assert.Equal(all.Prediction.Present.Where(c => c != 0), all.Classes.Select(c => c.Class));
        foreach (var c in all.Classes)
        {
            var alone = Explain.Segmentation(_segmentor, image, c.Class, "gradcam", showUncertainty: false);
            var scale = alone.Classes[0].Heatmap.Raw.Max(MathF.Abs) + 1e-30f;
            Assert.All(alone.Classes[0].Heatmap.Raw.Zip(c.Heatmap.Raw), p => Assert.True(MathF.Abs(p.First - p.Second) <= 1e-4f * scale));
            Assert.Equal(all.Prediction.PixelCounts[c.Class], c.Pixels);
        }
        Assert.NotNull(all.Uncertainty);
        Assert.Equal(96 * 96, all.Mask.Length);
    }

    [Fact]
    public void Should_report_a_class_absent_from_the_prediction_instead_of_explaining_it()
    {
        var image = ImageInput.FromTensor(_input);
        var summary = Explain.Segmentation(_segmentor, image, showUncertainty: false, allClasses: true).Prediction;
        int absent = Enumerable.Range(1, _segmentor.NumClasses - 1).First(c => summary.PixelCounts[c] == 0);
        var result = Explain.Segmentation(_segmentor, image, absent);
        Assert.Empty(result.Classes);
        Assert.Contains("absent from the prediction", result.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => Explain.Segmentation(_segmentor, image, 11));
    }

    [Fact]
    public void Should_default_to_the_most_frequent_object_class()
    {
        using var output = _segmentor.call(_input);
        var task = (SegmentationTask)ExplanationTask.For(_segmentor);
        var summary = (SegmentationSummary)task.Summarize(output[0]);
        var counts = output[0].argmax(0).flatten().bincount(null, 11).data<long>().ToArray();
        int expected = Enumerable.Range(1, 10).OrderByDescending(c => counts[c]).ThenBy(c => c).First();
        Assert.Equal(expected, summary.TopClass);
        Assert.Equal(expected, ((MaskRegionTarget)task.DefaultTarget(output[0])).Class);
    }
}
