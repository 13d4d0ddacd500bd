// Adding an explanation method from outside the library: LayerCAM (Jiang et al. 2021) in one class, registered once,
// then used by name like any built-in method. Usage: dotnet run --project samples/CustomMethodDemo [-- OUTPUT_DIR]
using AutoTimm.Imaging;
using AutoTimm.Interpretation;
using AutoTimm.Interpretation.Engine;
using AutoTimm.Interpretation.Methods;
using AutoTimm.Models;
using AutoTimm.Samples;
using static TorchSharp.torch;

var output = SampleFiles.Output("custom_method_demo", args);
MethodRegistry.Register(LayerCam.Descriptor);

using var model = ImageClassifier.LoadFromCheckpoint(BundledModels.CnnPath);
var image = ImageInput.FromFile(SampleFiles.Asset("samples/canvases/canvas_test_00001.png"));
// LayerCAM joins the comparison and shares the layer's forward and gradient with Grad-CAM.
var comparison = Explain.CompareMethods(model, image, ["gradcam", "layercam"], savePath: Path.Combine(output, "gradcam_vs_layercam.png"));
foreach (var (id, result) in comparison.Results)
    Console.WriteLine($"{MethodRegistry.DisplayName(id)} at {result.Layer}: {result.ElapsedMilliseconds:F1} ms");
Console.WriteLine($"figure written to {comparison.SavePath}");

/// <summary>LayerCAM: every location weighted by its own positive gradient, <c>relu(sum_c relu(g) * A)</c>.</summary>
internal sealed class LayerCam(VisionModel model, string? targetLayer = null) : CamExplainer(model, targetLayer, null)
{
    public override string Method => "layercam";

    protected override Tensor CamMap(Tensor activations, Tensor gradients) => (gradients.clamp_min(0) * activations).sum(1);

    public static MethodDescriptor Descriptor { get; } = new("layercam", "LayerCAM", typeof(CamOptions),
        (model, options) => new LayerCam(model, options.Get<CamOptions>().TargetLayer))
    {
        RunsByDefault = false,
        Summary = "positive gradients times activations, element by element",
    };
}
