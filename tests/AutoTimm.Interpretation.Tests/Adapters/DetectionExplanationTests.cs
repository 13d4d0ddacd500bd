using AutoTimm.Data;
using AutoTimm.Imaging;
using AutoTimm.Interpretation.Engine;
using AutoTimm.Interpretation.Methods;
using AutoTimm.Interpretation.Targets;
using AutoTimm.Models;
using static AutoTimm.Interpretation.Tests.Reference.ReferenceFixtures;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Tests.Adapters;

/// <summary>
/// Detection explanations on torchvision's FCOS around the small backbone with formula weights (the parity
/// fixture): it detects 100 boxes above 0.2 on its fixture input, spread over two pyramid levels.
/// </summary>
public sealed class DetectionExplanationTests : IDisposable
{
    private readonly ObjectDetector _detector = ObjectDetector.LoadFromCheckpoint(Path("pytorch/fcos_tiny.pth"), "fcos_resnet10_tiny_fpn");
    private readonly Tensor _input = Load("pytorch/fcos_tiny_input.npy");

    public void Dispose()
    {
        _detector.Dispose();
        _input.Dispose();
    }

    [Fact]
    public void Should_score_a_box_by_its_class_logit_at_its_own_location()
    {
        using var output = _detector.call(_input);
        var target = new BoxScoreTarget(37, 4);
        Assert.Equal(output[0][37][4].item<float>(), target.Score(output[0]).item<float>());
        Assert.Throws<ArgumentOutOfRangeException>(() => new BoxScoreTarget(37, 10).Score(output[0]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BoxScoreTarget((int)output.shape[1], 0).Score(output[0]));
        Assert.Throws<ArgumentException>(() => new BoxScoreTarget(0, 0).Score(zeros(10)));
    }

    [Theory]
    [InlineData("gradcam")]
    [InlineData("gradcampp")]
    [InlineData("integrated_gradients")]
    public void Should_give_each_box_of_a_shared_pass_the_map_it_gets_alone(string method)
    {
        var detections = _detector.Detect(_input, new DetectionOptions { ScoreThreshold = 0.2f })[0];
        var chosen = new[] { detections[0], detections[1], detections.First(d => d.Level != detections[0].Level) };
        var options = ExplanationOptions.Default.With(new IntegratedGradientsOptions { Steps = 8 });
        using var explainer = MethodRegistry.Create(method, _detector, options);
        var targets = chosen.Select(d => (IExplanationTarget?)BoxScoreTarget.Of(d)).ToArray();
        var together = explainer.ExplainTargets(_input.expand(3, -1, -1, -1), targets, batchSize: 3);
        for (int i = 0; i < chosen.Length; i++)
        {
            var alone = explainer.ExplainTargets(_input, [targets[i]])[0];
            var scale = alone.Raw.Max(MathF.Abs) + 1e-30f;
            // Same arithmetic except the summation order of the batched reduction: float32 rounding only.
            Assert.All(alone.Raw.Zip(together[i].Raw), p => Assert.True(MathF.Abs(p.First - p.Second) <= 1e-4f * scale, $"box {i}: {p.First} vs {p.Second}"));
        }
        Assert.NotEqual(together[0].Raw, together[2].Raw);
    }

    [Fact]
    public void Should_run_the_backbone_once_for_all_boxes_of_an_image()
    {
        var body = ModuleLookup.Resolve(_detector, "backbone.body.layer1");
        int runs = 0;
        var hook = ((nn.Module<Tensor, Tensor>)body).register_forward_hook((_, _, o) => { runs++; return o; });
        try
        {
            var result = Explain.Detection(_detector, ImageInput.FromTensor(_input), "gradcam", detectionThreshold: 0.2f);
            Assert.Equal(100, result.Explained.Count);
            Assert.All(result.Explained, e => Assert.NotNull(e.Heatmap));
            // One inference forward that finds the boxes, one explanation forward shared by all 100 of them.
            Assert.Equal(2, runs);
        }
        finally
        {
            hook.remove();
        }
    }

    [Fact]
    public void Should_return_an_empty_explained_result_when_nothing_passes_the_threshold()
    {
        var result = Explain.Detection(_detector, ImageInput.FromTensor(_input), "gradcam", detectionThreshold: 0.99f);
        Assert.Empty(result.Detections);
        Assert.Empty(result.Explained);
        Assert.Contains("nothing detected above score 0.99", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_explain_only_the_detection_overlapping_a_given_box_most_and_refuse_a_box_outside_the_image()
    {
        var detections = _detector.Detect(_input, new DetectionOptions { ScoreThreshold = 0.2f })[0];
        var wanted = detections.First(d => d.Level == 1 && d.Box.Area > 4);
        var overview = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"autotimm-detection-{Guid.NewGuid():N}.png");
        try
        {
            var result = Explain.Detection(_detector, ImageInput.FromTensor(_input), "eigencam", 0.2f, bbox: wanted.Box, savePath: overview);
            var only = Assert.Single(result.Explained);
            Assert.Equal(1.0f, only.Detection.Box.IoU(wanted.Box));
            Assert.Equal(overview, result.SavePath);
            Assert.True(ImageIO.Load(overview).Width > 2 * 256, "the overview shows the image and the box's overlay side by side");
        }
        finally
        {
            File.Delete(overview);
        }
        var e = Assert.Throws<ArgumentException>(() => Explain.Detection(_detector, ImageInput.FromTensor(_input), "gradcam", 0.2f, bbox: new BoundingBox(200, 200, 300, 300)));
        Assert.Contains("outside the 96x96 model input", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_say_which_boxes_a_pyramid_level_layer_cannot_explain()
    {
        var result = Explain.Detection(_detector, ImageInput.FromTensor(_input), "gradcam", 0.2f, targetLayer: _detector.LevelLayer(0));
        Assert.Contains(result.Explained, e => e.Heatmap is not null && e.Detection.Level == 0);
        var refused = Assert.Single(result.Explained.Where(e => e.Detection.Level != 0).Take(1));
        Assert.Null(refused.Heatmap);
        Assert.Contains($"pyramid level {refused.Detection.Level}", refused.Error, StringComparison.Ordinal);
        Assert.Contains("does not depend on backbone.fpn.layer_blocks.0", refused.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_project_activations_on_their_first_principal_component_with_the_responding_sign()
    {
        // Rank one plus a constant: channels c respond to one spatial pattern p with weight w_c.
        var pattern = new float[] { 0, 1, 2, 5, 1, 0 };
        var weights = new float[] { 1, -0.5f, 2 };
        var values = weights.SelectMany(w => pattern.Select(p => w * p + 3)).ToArray();
        using var activations = tensor(values, [1, 3, 2, 3]);
        using var projection = EigenCam.Projection(activations);
        var map = projection.flatten().data<float>().ToArray();
        // The centred pattern, scaled by |w|, and oriented like the channel sum (sum w = 2.5 > 0).
        var mean = pattern.Average();
        var norm = MathF.Sqrt(weights.Sum(w => w * w));
        for (int i = 0; i < pattern.Length; i++) Assert.Equal((pattern[i] - mean) * norm, map[i], 3);
    }
}
