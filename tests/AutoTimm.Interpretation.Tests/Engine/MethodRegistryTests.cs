using AutoTimm.Interpretation.Engine;
using AutoTimm.Interpretation.Methods;
using AutoTimm.Interpretation.Tests.Models;
using AutoTimm.Interpretation.Visualization;
using AutoTimm.Models;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Tests.Engine;

public sealed class MethodRegistryTests
{
    /// <summary>A method written outside the library: LayerCAM in one class, through the public extension points.</summary>
    private sealed class OutsideLayerCam(VisionModel model, string? targetLayer) : CamExplainer(model, targetLayer, null)
    {
        public override string Method => "outside_layercam";

        protected override Tensor CamMap(Tensor activations, Tensor gradients) => (gradients.clamp_min(0) * activations).sum(1);

        public static readonly MethodDescriptor Descriptor = new("outside_layercam", "LayerCAM (outside)", typeof(CamOptions),
            (model, options) => new OutsideLayerCam(model, options.Get<CamOptions>().TargetLayer)) { RunsByDefault = false };
    }

    private static readonly Lazy<bool> Registered = new(() =>
    {
        MethodRegistry.Register(OutsideLayerCam.Descriptor);
        return true;
    });

    [Fact]
    public void Should_run_a_method_registered_from_outside_the_library_by_name_with_its_closed_form()
    {
        Assert.True(Registered.Value);
        using var model = new TinyConvNet(1);
        using var x = randn(1, 3, 8, 8, generator: new TorchSharp.torch.Generator(3));
        using var explainer = MethodRegistry.Create("Outside-LayerCAM", model, ExplanationOptions.Default.With(new CamOptions { TargetLayer = "relu" }));
        var heatmap = explainer.Explain(x, targetClass: 1);

        // dS/dA_k = w[1,k] / 64 everywhere, so LayerCAM = relu(sum_k relu(w[1,k]) A_k) / 64.
        using var activation = nn.functional.relu(model.Conv.call(x))[0];
        using var weights = model.Fc.weight![1].clamp_min(0).reshape(4, 1, 1);
        using var expected = nn.functional.relu((weights * activation).sum(0L)) / 64;
        var values = expected.data<float>().ToArray();
        for (int i = 0; i < 64; i++) Assert.Equal(values[i], heatmap.Raw[i], 5);
        Assert.Equal("LayerCAM (outside)", FigureText.MethodName(heatmap.Method));
    }

    [Fact]
    public void Should_refuse_a_second_method_under_a_taken_name()
    {
        var clash = OutsideLayerCam.Descriptor with { Id = "my_method", Aliases = ["gradcam++"] };
        Assert.Contains("taken by 'gradcampp'", Assert.Throws<ArgumentException>(() => MethodRegistry.Register(clash)).Message);
    }

    [Theory]
    [InlineData("../../escape")]
    [InlineData("sub/dir")]
    [InlineData("")]
    [InlineData("Upper")]
    public void Should_refuse_a_method_id_that_cannot_name_a_file_inside_the_output_folder(string id)
    {
        var bad = OutsideLayerCam.Descriptor with { Id = id, Aliases = [] };

        var e = Assert.Throws<ArgumentException>(() => MethodRegistry.Register(bad));

        Assert.Contains("must be 1 to 64 of a-z, 0-9", e.Message);
        Assert.DoesNotContain(MethodRegistry.All, m => m.Id == id);
    }

    [Fact]
    public void Should_describe_every_builtin_method_with_valid_default_options()
    {
        string[] builtin = ["gradcam", "gradcampp", "hirescam", "xgradcam", "eigencam", "integrated_gradients", "smoothgrad", "attention_rollout", "attention_flow", "transformer_attribution"];
        Assert.Equal(builtin, MethodRegistry.All.Select(m => m.Id).Take(builtin.Length));
        Assert.Equal(["gradcam", "gradcampp", "integrated_gradients", "smoothgrad", "attention_rollout", "attention_flow"], MethodRegistry.DefaultIds.Take(6));
        foreach (var method in MethodRegistry.All.Where(m => builtin.Contains(m.Id)))
        {
            var defaults = (IMethodOptions)Activator.CreateInstance(method.OptionsType)!;
            defaults.Validate();
            Assert.False(string.IsNullOrWhiteSpace(method.DisplayName));
            Assert.Same(method, MethodRegistry.Get(method.Id.ToUpperInvariant()));
            foreach (var alias in method.Aliases) Assert.Same(method, MethodRegistry.Get(alias));
        }
        Assert.Equal("gradcampp", MethodRegistry.Get("gradcam++").Id);
        Assert.Equal("integrated_gradients", MethodRegistry.Get("ig").Id);
    }

    [Fact]
    public void Should_say_why_attention_methods_do_not_apply_to_a_cnn()
    {
        using var model = new TinyConvNet(1);
        foreach (var id in new[] { "attention_rollout", "attention_flow", "transformer_attribution" })
        {
            Assert.Contains("no attention layers", MethodRegistry.Get(id).NotApplicableBecause(model));
            Assert.Contains("no attention layers", Assert.Throws<NotSupportedException>(() => MethodRegistry.Create(id, model)).Message);
        }
        using var vit = ModelZoo.Create("vit_femto_patch8_32", 4);
        Assert.Null(MethodRegistry.Get("attention_flow").NotApplicableBecause(vit));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(IntegratedGradientsOptions.MaxSteps + 1)]
    public void Should_validate_options_naming_the_field(int steps)
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => ExplanationOptions.Default.With(new IntegratedGradientsOptions { Steps = steps }));
        Assert.Equal("Steps", e.ParamName);
        Assert.Equal("NoiseLevel", Assert.ThrowsAny<ArgumentException>(() => ExplanationOptions.Default.With(new SmoothGradOptions { NoiseLevel = double.NaN })).ParamName);
        Assert.Equal("Samples", Assert.ThrowsAny<ArgumentException>(() => ExplanationOptions.Default.With(new SmoothGradOptions { Samples = 0 })).ParamName);
    }
}
