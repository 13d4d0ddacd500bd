using AutoTimm.Imaging;
using AutoTimm.Interpretation.Engine;
using AutoTimm.Interpretation.Methods;
using AutoTimm.Interpretation.Tests.Models;
using AutoTimm.Models;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Tests.Engine;

public sealed class ExplanationSessionTests
{
    [Fact]
    public void Should_run_one_forward_for_every_cam_method_of_the_same_layer()
    {
        using var model = ModelZoo.Create("resnet10_tiny", 3);
        int forwards = 0;
        var hook = model.register_forward_hook((_, _, output) => { forwards++; return output; });
        try
        {
            var image = ImageInput.FromTensor(randn(3, 64, 64, generator: new TorchSharp.torch.Generator(8)));
            var comparison = Explain.CompareMethods(model, image, ["gradcam", "gradcampp", "hirescam", "xgradcam"]);
            Assert.Equal(4, comparison.Results.Count);
            Assert.Equal(1, forwards);
            // Each map equals the method run alone.
            forwards = 0;
            var alone = new XGradCam(model).Explain(image);
            Assert.Equal(alone.Raw, comparison.Results["xgradcam"].Heatmap!.Raw);
            Assert.Equal(1, forwards);
        }
        finally
        {
            hook.remove();
        }
    }

    [Fact]
    public void Should_restore_every_module_training_flag_after_explaining_and_predicting()
    {
        using var model = ModelZoo.Create("resnet10_tiny", 3);
        model.train();
        var frozen = model.named_modules().First(m => m.name == "layer1").module;
        frozen.eval();
        using var x = randn(1, 3, 32, 32);
        new GradCam(model).Explain(x);
        model.Predict(x);
        Assert.True(model.training);
        Assert.False(frozen.training);
        Assert.All(model.named_modules().Where(m => m.name.StartsWith("layer1", StringComparison.Ordinal)), m => Assert.False(m.module.training));
        Assert.True(model.named_modules().First(m => m.name == "layer2").module.training);
    }

    [Fact]
    public void Should_sum_rows_into_their_images_in_chunks_of_at_most_the_bound()
    {
        var chunks = new List<int>();
        using var sums = StepBatcher.SumOverSteps(images: 3, steps: 4, maxRows: 5, rows =>
        {
            chunks.Add(rows.Count);
            // Row value: 10 * image + step.
            return tensor(rows.Images.Zip(rows.StepIndices, (i, k) => 10f * i + k).ToArray()).reshape(-1, 1);
        });
        Assert.Equal([5, 5, 2], chunks);
        Assert.Equal(new[] { 6f, 46f, 86f }, sums.reshape(-1).data<float>().ToArray());
    }

    [Fact]
    public void Should_give_the_same_integrated_gradients_for_any_internal_batch()
    {
        using var model = new TinyConvNet(2);
        using var x = randn(3, 3, 8, 8, generator: new TorchSharp.torch.Generator(4));
        var one = new IntegratedGradients(model, IgBaseline.Zeros, 7, internalBatchSize: 1).ExplainBatch(x, [0, 1, 2]);
        var many = new IntegratedGradients(model, IgBaseline.Zeros, 7, internalBatchSize: 64).ExplainBatch(x, [0, 1, 2]);
        for (int i = 0; i < 3; i++)
        for (int p = 0; p < one[i].Attributions!.Length; p++)
            Assert.Equal(one[i].Attributions![p], many[i].Attributions![p], 5);
    }

    private sealed class ScaledClassTarget(int cls, float scale) : AutoTimm.Interpretation.Targets.IExplanationTarget
    {
        public int? ClassIndex => cls;

        public Tensor Score(Tensor output) => output[cls] * scale;

        public string Describe(Func<int, string> labelOf) => $"{scale} x {labelOf(cls)}";
    }

    [Fact]
    public void Should_share_gradients_only_between_equal_targets()
    {
        using var model = new TinyConvNet(1);
        using var x = randn(1, 3, 8, 8, generator: new TorchSharp.torch.Generator(6));
        using var session = new ExplanationSession(model);
        using var scope = NewDisposeScope();
        var two = session.GradientsAt(x, "relu", [new ScaledClassTarget(1, 2f)]);
        var three = session.GradientsAt(x, "relu", [new ScaledClassTarget(1, 3f)]);
        Assert.NotSame(two, three);
        Assert.True((three.Gradient - two.Gradient * 1.5f).abs().max().item<float>() < 1e-6f);
        // Equal records share.
        Assert.Same(session.GradientsAt(x, "relu", [new AutoTimm.Interpretation.Targets.ClassTarget(2)]),
            session.GradientsAt(x, "relu", [new AutoTimm.Interpretation.Targets.ClassTarget(2)]));
    }
}
