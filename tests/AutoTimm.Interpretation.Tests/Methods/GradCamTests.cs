using AutoTimm.Interpretation.Methods;
using AutoTimm.Interpretation.Tests.Models;
using AutoTimm.Models;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Tests.Methods;

public sealed class GradCamTests
{
    [Fact]
    public void Should_equal_the_closed_form_cam_on_a_one_conv_model()
    {
        using var model = new TinyConvNet(1);
        using var x = randn(1, 3, 8, 8, generator: new TorchSharp.torch.Generator((ulong)3));
        using var cam = new GradCam(model, "relu");
        var heatmap = cam.Explain(x, targetClass: 2);

        // Score = sum_k w[2,k] * mean(A_k) + b  =>  dS/dA_k = w[2,k] / 64, so CAM = relu(sum_k w[2,k] A_k) / 64.
        using var activation = nn.functional.relu(model.Conv.call(x))[0];
        using var weights = model.Fc.weight![2].reshape(4, 1, 1);
        using var expected = nn.functional.relu((weights * activation).sum(0L)) / 64;
        var expectedValues = expected.data<float>().ToArray();
        for (int i = 0; i < 64; i++) Assert.Equal(expectedValues[i], heatmap.Raw[i], 5);
        Assert.Equal(2, heatmap.TargetClass);
        Assert.Equal("relu", heatmap.Layer);
        Assert.Equal((8, 8), heatmap.NativeResolution);
        Assert.Equal(1f, heatmap.Values.Max(), 6);
        Assert.Equal(0f, heatmap.Values.Min(), 6);
    }

    [Fact]
    public void Should_give_identical_maps_batched_and_one_by_one()
    {
        using var model = ModelZoo.Create("resnet10_tiny", 5);
        using var x = randn(5, 3, 32, 32, generator: new TorchSharp.torch.Generator((ulong)4));
        int[] targets = [0, 1, 2, 3, 4];
        using var cam = new GradCam(model);
        var batched = cam.ExplainBatch(x, targets, batchSize: 2);
        for (int i = 0; i < 5; i++)
        {
            var single = cam.Explain(x[i], targets[i]);
            // A batch of 2 may take other kernels than a batch of 1 (oneDNN, GEMM vs GEMV), so sums are rounded in
            // another order: each float32 reduction of K terms is exact to K * 2^-24 relative to its magnitude, here
            // K <= 9 * 64 per convolution through ten layers, so 1e-3 of the map's scale bounds it.
            float scale = single.Raw.Max(v => Math.Abs(v));
            for (int p = 0; p < single.Raw.Length; p++) Assert.InRange(Math.Abs(single.Raw[p] - batched[i].Raw[p]), 0f, 1e-3f * scale);
            Assert.Equal(targets[i], batched[i].TargetClass);
        }
    }

    [Fact]
    public void Should_explain_the_predicted_class_when_no_target_is_given()
    {
        using var model = new TinyConvNet(5);
        using var x = randn(3, 3, 8, 8, generator: new TorchSharp.torch.Generator((ulong)6));
        using var logits = model.call(x);
        var predicted = logits.argmax(1).data<long>().ToArray();
        var heatmaps = new GradCamPlusPlus(model).ExplainBatch(x);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal((int)predicted[i], heatmaps[i].TargetClass);
            Assert.Equal((int)predicted[i], heatmaps[i].Prediction.TopClass);
        }
    }

    [Fact]
    public void Should_reject_a_short_target_list_and_an_out_of_range_class()
    {
        using var model = new TinyConvNet();
        using var x = randn(3, 3, 8, 8);
        using var cam = new GradCam(model);
        var shortList = Assert.Throws<ArgumentException>(() => cam.ExplainBatch(x, [0, 1]));
        Assert.Contains("2 targets given for 3 images", shortList.Message);
        var outOfRange = Assert.Throws<ArgumentOutOfRangeException>(() => cam.Explain(x[0], targetClass: 3));
        Assert.Contains("outside the model's 3 classes", outOfRange.Message);
    }

    [Fact]
    public void Should_reject_layers_without_spatial_output_and_unknown_layers()
    {
        using var model = new TinyConvNet();
        using var x = randn(1, 3, 8, 8);
        var flat = Assert.Throws<ArgumentException>(() => new GradCam(model, "fc").Explain(x));
        Assert.Contains("no spatial output", flat.Message);
        var unknown = Assert.Throws<LayerNotFoundException>(() => new GradCam(model, "conv2"));
        Assert.Contains("conv", unknown.Closest);
    }

    [Fact]
    public void Should_reject_bad_inputs_with_the_shape_found()
    {
        using var model = new TinyConvNet();
        using var cam = new GradCam(model);
        using var gray = randn(1, 1, 8, 8);
        Assert.Contains("[1,1,8,8]", Assert.Throws<ArgumentException>(() => cam.Explain(gray)).Message);
        using var nan = full(1, 3, 8, 8, float.NaN);
        Assert.Contains("NaN", Assert.Throws<ArgumentException>(() => cam.Explain(nan)).Message);
    }

    [Fact]
    public void Should_report_a_map_with_a_value_that_is_not_finite_instead_of_returning_it()
    {
        // A finite input, but a model with an infinite bias: the map is NaN/Inf, and no heatmap is made of it.
        using var model = new TinyConvNet();
        using (no_grad()) model.Conv.bias!.fill_(float.PositiveInfinity);
        using var cam = new GradCam(model);
        using var x = randn(1, 3, 8, 8, generator: new Generator(5));
        Assert.Contains("non-finite", Assert.Throws<InvalidOperationException>(() => cam.Explain(x, 0)).Message);
    }

    [Fact]
    public void Should_restore_training_mode_and_leave_no_hook_behind_even_on_failure()
    {
        using var model = new TinyConvNet();
        model.train();
        using var x = randn(2, 3, 8, 8);
        using var cam = new GradCam(model, "relu");
        Assert.Throws<ArgumentOutOfRangeException>(() => cam.ExplainBatch(x, [0, 7]));
        Assert.True(model.training);
        Assert.True(model.Conv.training);

        int fired = 0;
        var probe = model.Conv.register_forward_hook((m, i, o) => { fired++; return o; });
        cam.ExplainBatch(x, [0, 1]);
        probe.remove();
        Assert.Equal(1, fired);
        Assert.True(model.training);
    }

    [Fact]
    public void Should_work_with_frozen_parameters_and_not_touch_their_gradients()
    {
        using var model = new TinyConvNet(2);
        foreach (var p in model.parameters()) p.requires_grad = false;
        using var x = randn(1, 3, 8, 8);
        var heatmap = new GradCam(model).Explain(x, 1);
        Assert.Contains(heatmap.Raw, v => v > 0);
        foreach (var p in model.parameters()) Assert.True(p.grad is null);
    }

    [Fact]
    public void Should_resolve_a_layer_given_by_reference_to_its_name()
    {
        using var model = ModelZoo.Create("resnet10_tiny", 3);
        var layer3 = ModuleLookup.Resolve(model, "layer3");
        using var cam = new GradCam(model, layer3);
        Assert.Equal("layer3", cam.TargetLayer);
        using var x = randn(1, 3, 32, 32);
        Assert.Equal((8, 8), cam.Explain(x).NativeResolution);
    }

    [Fact]
    public void Should_reshape_vit_tokens_to_the_patch_grid()
    {
        using var vit = ModelZoo.Create("vit_femto_patch8_32", 4);
        using var x = randn(2, 3, 32, 32);
        using var cam = new GradCam(vit);
        var maps = cam.ExplainBatch(x, [1, 2]);
        Assert.Equal("blocks.1.norm1", maps[0].Layer);
        Assert.Equal((4, 4), maps[0].NativeResolution);
        Assert.Equal(32 * 32, maps[1].Values.Length);
    }

    private sealed class ConstantTarget : AutoTimm.Interpretation.Targets.IExplanationTarget
    {
        public int? ClassIndex => null;

        public Tensor Score(Tensor output) => tensor(1f);

        public string Describe(Func<int, string> labelOf) => "a constant";
    }

    [Fact]
    public void Should_report_a_target_without_gradient_instead_of_aborting()
    {
        using var model = new TinyConvNet();
        using var x = randn(1, 3, 8, 8);
        var e = Assert.Throws<InvalidOperationException>(() => new GradCam(model).ExplainTargets(x, [new ConstantTarget()]));
        Assert.Contains("does not depend differentiably", e.Message);
        Assert.Throws<InvalidOperationException>(() => new IntegratedGradients(model, IgBaseline.Zeros, 2).ExplainTargets(x, [new ConstantTarget()]));
    }

    private sealed class WholeRowTarget : AutoTimm.Interpretation.Targets.IExplanationTarget
    {
        public int? ClassIndex => null;

        public Tensor Score(Tensor output) => output * 2;

        public string Describe(Func<int, string> labelOf) => "every logit";
    }

    [Fact]
    public void Should_report_a_target_whose_score_is_not_one_number_instead_of_aborting()
    {
        // autograd.grad of a many-element output aborts the process from native code.
        using var model = new TinyConvNet();
        using var x = randn(1, 3, 8, 8);

        var e = Assert.Throws<InvalidOperationException>(() => new GradCam(model).ExplainTargets(x, [new WholeRowTarget()]));

        Assert.Contains("target WholeRowTarget returned a score of shape [3]", e.Message);
    }

    [Fact]
    public void Should_report_a_gradient_with_respect_to_a_tensor_the_output_does_not_use_instead_of_aborting()
    {
        using var used = randn(4).requires_grad_(true);
        using var unused = randn(4).requires_grad_(true);
        using var score = (used * used).sum();

        var e = Assert.Throws<InvalidOperationException>(() => GradientGuard.Grad(score, [used, unused], "the score"));

        Assert.Contains("the score does not depend on tensor 2 of 2", e.Message);
        using var product = used * used;
        Assert.Contains("has shape [4]", Assert.Throws<InvalidOperationException>(() => GradientGuard.Grad(product, [used], "the product")).Message);
        using var fresh = (used * used).sum();
        Assert.Equal((used * 2).data<float>().ToArray(), GradientGuard.Grad(fresh, used, "the score").data<float>().ToArray());
    }
}
