using AutoTimm.Interpretation.Methods;
using AutoTimm.Models;
using AutoTimm.Tests.Fixtures;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;
using static AutoTimm.Interpretation.Tests.Reference.ReferenceFixtures;

namespace AutoTimm.Interpretation.Tests.Reference;

/// <summary>
/// Our explainers against pytorch-grad-cam and Captum on identical weights and inputs: Pearson >= 0.999 for CAMs and
/// IG attributions (the bar), and completeness deltas within an absolute tolerance.
/// </summary>
public sealed class ReferenceCrossCheckTests : IDisposable
{
    private const double MinPearson = 0.999;
    private static readonly int[] Targets = [269, 389];
    private readonly ImageClassifier _resnet;

    public ReferenceCrossCheckTests()
    {
        _resnet = ModelZoo.Create("resnet18", 1000);
        FixtureWeights.Fill(_resnet);
        _resnet.eval();
    }

    public void Dispose() => _resnet.Dispose();

    private static Explainer Cam(string method, VisionModel model, string layer) => method switch
    {
        "gradcam" => new GradCam(model, layer),
        "gradcampp" => new GradCamPlusPlus(model, layer),
        "hirescam" => new HiResCam(model, layer),
        "xgradcam" => new XGradCam(model, layer),
        _ => throw new ArgumentException(method),
    };

    [Theory]
    [InlineData("layer4", "gradcam")]
    [InlineData("layer4", "gradcampp")]
    [InlineData("layer3", "gradcam")]
    [InlineData("layer3", "gradcampp")]
    public void Should_match_pytorch_grad_cam_on_resnet18(string layer, string method)
    {
        using var x = ResNetInput(4);
        using var logits = _resnet.call(x);
        using var expectedLogits = Load("reference/resnet18_logits.npy");
        Assert.True((logits - expectedLogits).abs().max().item<float>() < 1e-4);

        var heatmaps = Cam(method, _resnet, layer).ExplainBatch(x, Targets);
        using var layerCam = Load($"reference/resnet18_{layer}_{method}_t269-389_cam.npy");
        using var upsampled = F.interpolate(layerCam.unsqueeze(1), size: [128, 128], mode: InterpolationMode.Bilinear, align_corners: false).squeeze(1);
        using var final = Load($"reference/resnet18_{layer}_{method}_t269-389_final.npy");
        for (int i = 0; i < 2; i++)
        {
            Assert.True(Pearson(heatmaps[i].Raw, Row(upsampled, i)) >= MinPearson, $"raw map, image {i}");
            Assert.True(Pearson(heatmaps[i].Values, Row(final, i)) >= MinPearson, $"normalized map, image {i}");
            Assert.Equal(Targets[i], heatmaps[i].TargetClass);
        }
    }

    [Theory]
    [InlineData("gradcam")]
    [InlineData("gradcampp")]
    public void Should_match_pytorch_grad_cam_for_the_predicted_class(string method)
    {
        using var x = ResNetInput(4);
        var heatmaps = Cam(method, _resnet, "layer4").ExplainBatch(x);
        using var layerCam = Load($"reference/resnet18_layer4_{method}_pred_cam.npy");
        using var upsampled = F.interpolate(layerCam.unsqueeze(1), size: [128, 128], mode: InterpolationMode.Bilinear, align_corners: false).squeeze(1);
        for (int i = 0; i < 2; i++)
        {
            Assert.Equal(430, heatmaps[i].TargetClass);
            Assert.True(Pearson(heatmaps[i].Raw, Row(upsampled, i)) >= MinPearson, $"image {i}");
        }
    }

    [Theory]
    [InlineData("zeros", "gausslegendre")]
    [InlineData("zeros", "riemann_trapezoid")]
    [InlineData("black", "gausslegendre")]
    [InlineData("black", "riemann_trapezoid")]
    public void Should_match_captum_integrated_gradients_on_resnet18(string baseline, string rule)
    {
        using var x = ResNetInput(2);
        var method = rule == "gausslegendre" ? IntegrationMethod.GaussLegendre : IntegrationMethod.RiemannTrapezoid;
        var ig = new IntegratedGradients(_resnet, IntegratedGradients.ParseBaseline(baseline), steps: 50, method: method, internalBatchSize: 16);
        var heatmaps = ig.ExplainBatch(x, Targets);
        using var expected = Load($"reference/resnet18_ig_{baseline}_{rule}_attr.npy");
        using var deltas = Load($"reference/resnet18_ig_{baseline}_{rule}_delta.npy");
        for (int i = 0; i < 2; i++)
        {
            Assert.True(Pearson(heatmaps[i].Attributions!, Row(expected, i)) >= MinPearson, $"image {i}");
            double delta = heatmaps[i].ConvergenceDelta!.Value;
            if (method == IntegrationMethod.RiemannTrapezoid)
            {
                // Captum's trapezoid gives the end points 1/(2n) and the rest 1/n, weights summing to (n-1)/n, not 1:
                // its attributions are ours times 49/50 and its delta is what ours becomes under that scaling.
                double sum = heatmaps[i].Attributions!.Sum(v => (double)v), change = sum - delta;
                delta = sum * 49 / 50 - change;
            }
            Assert.True(Math.Abs(delta - deltas[i].item<float>()) < 2e-5, $"delta, image {i}: {delta} vs {deltas[i].item<float>()}");
        }
    }

    [Theory]
    [InlineData("left", IntegrationMethod.RiemannLeft)]
    [InlineData("right", IntegrationMethod.RiemannRight)]
    [InlineData("middle", IntegrationMethod.RiemannMiddle)]
    public void Should_match_captum_riemann_rules(string name, IntegrationMethod method)
    {
        using var x = ResNetInput(2);
        var heatmap = new IntegratedGradients(_resnet, IgBaseline.Zeros, 50, method, 16).Explain(x[0], 269);
        using var expected = Load($"reference/resnet18_ig_zeros_riemann_{name}_attr.npy");
        Assert.True(Pearson(heatmap.Attributions!, Row(expected, 0)) >= MinPearson);
    }

    [Theory]
    [InlineData("gradcam", "t3", 3)]
    [InlineData("gradcampp", "t3", 3)]
    [InlineData("gradcam", "pred", null)]
    [InlineData("gradcampp", "pred", null)]
    public void Should_match_pytorch_grad_cam_on_the_vit_with_its_reshape_transform(string method, string tag, int? target)
    {
        using var vit = ImageClassifier.LoadFromCheckpoint(Path("pytorch/vit_small.pth"), "vit_femto_patch8_32");
        using var x = Load("pytorch/vit_small_input.npy");
        var heatmap = Cam(method, vit, "blocks.1.norm1").Explain(x, target);
        using var layerCam = Load($"reference/vit_small_{method}_{tag}_cam.npy");
        using var upsampled = F.interpolate(layerCam.unsqueeze(1), size: [32, 32], mode: InterpolationMode.Bilinear, align_corners: false).squeeze(1);
        Assert.True(Pearson(heatmap.Raw, Row(upsampled, 0)) >= MinPearson);
        Assert.Equal((4, 4), heatmap.NativeResolution);
    }

    [Fact]
    public void Should_match_captum_integrated_gradients_on_the_vit()
    {
        using var vit = ImageClassifier.LoadFromCheckpoint(Path("pytorch/vit_small.pth"), "vit_femto_patch8_32");
        using var x = Load("pytorch/vit_small_input.npy");
        var heatmap = new IntegratedGradients(vit, IgBaseline.Zeros, 32, IntegrationMethod.GaussLegendre).Explain(x, 3);
        using var expected = Load("reference/vit_small_ig_zeros_gausslegendre_attr.npy");
        using var delta = Load("reference/vit_small_ig_zeros_gausslegendre_delta.npy");
        Assert.True(Pearson(heatmap.Attributions!, Row(expected, 0)) >= 0.99999);
        Assert.True(Math.Abs(heatmap.ConvergenceDelta!.Value - delta[0].item<float>()) < 1e-5);
    }

    [Theory]
    [InlineData("layer4", "hirescam")]
    [InlineData("layer3", "hirescam")]
    [InlineData("layer4", "xgradcam")]
    [InlineData("layer3", "xgradcam")]
    public void Should_match_pytorch_grad_cam_hirescam_and_xgradcam_on_resnet18(string layer, string method)
    {
        using var x = ResNetInput(4);
        var heatmaps = Cam(method, _resnet, layer).ExplainBatch(x, Targets);
        var predicted = Cam(method, _resnet, layer).ExplainBatch(x);
        using var layerCam = Load($"reference/resnet18_{layer}_{method}_t269-389_cam.npy");
        using var upsampled = F.interpolate(layerCam.unsqueeze(1), size: [128, 128], mode: InterpolationMode.Bilinear, align_corners: false).squeeze(1);
        using var final = Load($"reference/resnet18_{layer}_{method}_t269-389_final.npy");
        using var predCam = Load($"reference/resnet18_{layer}_{method}_pred_cam.npy");
        using var predUpsampled = F.interpolate(predCam.unsqueeze(1), size: [128, 128], mode: InterpolationMode.Bilinear, align_corners: false).squeeze(1);
        for (int i = 0; i < 2; i++)
        {
            Assert.True(Pearson(heatmaps[i].Raw, Row(upsampled, i)) >= MinPearson, $"raw map, image {i}");
            Assert.True(Pearson(heatmaps[i].Values, Row(final, i)) >= MinPearson, $"normalized map, image {i}");
            Assert.True(Pearson(predicted[i].Raw, Row(predUpsampled, i)) >= MinPearson, $"predicted class, image {i}");
            Assert.Equal(Targets[i], heatmaps[i].TargetClass);
        }
    }

    [Theory]
    [InlineData("hirescam", "t3", 3)]
    [InlineData("xgradcam", "t3", 3)]
    [InlineData("hirescam", "pred", null)]
    [InlineData("xgradcam", "pred", null)]
    public void Should_match_pytorch_grad_cam_hirescam_and_xgradcam_on_the_vit(string method, string tag, int? target)
    {
        using var vit = ImageClassifier.LoadFromCheckpoint(Path("pytorch/vit_small.pth"), "vit_femto_patch8_32");
        using var x = Load("pytorch/vit_small_input.npy");
        var heatmap = Cam(method, vit, "blocks.1.norm1").Explain(x, target);
        using var layerCam = Load($"reference/vit_small_{method}_{tag}_cam.npy");
        using var upsampled = F.interpolate(layerCam.unsqueeze(1), size: [32, 32], mode: InterpolationMode.Bilinear, align_corners: false).squeeze(1);
        using var final = Load($"reference/vit_small_{method}_{tag}_final.npy");
        Assert.True(Pearson(heatmap.Raw, Row(upsampled, 0)) >= MinPearson);
        Assert.True(Pearson(heatmap.Values, Row(final, 0)) >= MinPearson);
    }
}
