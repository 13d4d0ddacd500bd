using AutoTimm.Interpretation.Engine;
using AutoTimm.Interpretation.Methods;
using AutoTimm.Interpretation.Targets;
using AutoTimm.Interpretation.Tests.Models;
using AutoTimm.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Tests.Engine;

/// <summary>
/// Every tensor a method makes lives on the model's device. CUDA cannot run here, so the model and input move to
/// libtorch's "meta" device, which computes shapes only: any tensor created on the CPU and mixed into the model path
/// makes libtorch refuse the operation ("expected all tensors to be on the same device"), and any host read of a
/// value on the path fails too.
/// </summary>
public sealed class DeviceTests
{
    [Theory]
    [InlineData("gradcam", null)]
    [InlineData("gradcampp", null)]
    [InlineData("hirescam", null)]
    [InlineData("xgradcam", null)]
    [InlineData("integrated_gradients", IgBaseline.Black)]
    [InlineData("integrated_gradients", IgBaseline.White)]
    [InlineData("integrated_gradients", IgBaseline.Zeros)]
    [InlineData("integrated_gradients", IgBaseline.Blur)]
    [InlineData("integrated_gradients", IgBaseline.Random)]
    [InlineData("smoothgrad", null)]
    public void Should_create_every_tensor_on_the_models_device(string method, IgBaseline? baseline)
    {
        var meta = new Device(DeviceType.META);
        using var model = new TinyConvNet(1);
        model.to(meta);
        Assert.Equal(DeviceType.META, model.Device.type);
        using var x = randn([2, 3, 8, 8], device: meta);
        var options = ExplanationOptions.Default
            .With(new IntegratedGradientsOptions { Steps = 3, Baseline = baseline ?? IgBaseline.Black, InternalBatchSize = 4 })
            .With(new SmoothGradOptions { Samples = 3, SamplesPerBatch = 2 });
        using var explainer = MethodRegistry.Create(method, model, options);
        using var session = new ExplanationSession(model);
        using var scope = NewDisposeScope();
        var raw = explainer.Compute(session, x, [new ClassTarget(0), new ClassTarget(2)]);
        Assert.Equal(DeviceType.META, raw.Maps.device_type);
        Assert.Equal(new long[] { 2, 8, 8 }, raw.Maps.shape);
        Assert.Equal(DeviceType.META, raw.Output.device_type);
        if (raw.Attributions is { } attributions) Assert.Equal(DeviceType.META, attributions.device_type);
        if (raw.Deltas is { } deltas) Assert.Equal(DeviceType.META, deltas.device_type);
    }

    [Fact]
    public void Should_run_attention_methods_on_the_models_device()
    {
        var meta = new Device(DeviceType.META);
        using var vit = ModelZoo.Create("vit_femto_patch8_32", 4);
        vit.to(meta);
        using var x = randn([1, 3, 32, 32], device: meta);
        foreach (var method in new[] { "attention_rollout", "transformer_attribution" })
        {
            using var explainer = MethodRegistry.Create(method, vit);
            using var session = new ExplanationSession(vit);
            using var scope = NewDisposeScope();
            var raw = explainer.Compute(session, x, [new ClassTarget(1)]);
            Assert.Equal(DeviceType.META, raw.Maps.device_type);
        }
    }
}
