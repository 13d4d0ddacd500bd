using AutoTimm.Imaging;
using AutoTimm.Interpretation;
using AutoTimm.Models.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

/// <summary>
/// The ONNX exports of tools/onnx/export_torchvision.py: for each, the operators it uses, the largest difference from
/// ONNX Runtime (graph optimizations off) and from PyTorch's saved output against the tolerance
/// max|d| &lt;= 1e-4 max|ref| + 1e-6, and Grad-CAM's time relative to one ONNX Runtime inference, in the same run.
/// </summary>
internal static class OnnxExports
{
    public static IReadOnlyList<object> Check(string folder, int threads, Func<Action, double> median)
    {
        var rows = new List<object>();
        foreach (var path in Directory.GetFiles(folder, "*_opset*.onnx").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileNameWithoutExtension(path);
            var model = name[..name.LastIndexOf("_opset", StringComparison.Ordinal)];
            try
            {
                rows.Add(CheckOne(path, Path.Combine(folder, $"{model}_input.npy"), Path.Combine(folder, $"{model}_output.npy"), threads, median));
            }
            catch (Exception e) when (e is NotSupportedException or InvalidDataException or ArgumentException)
            {
                rows.Add(new { model = name, error = e.Message });
            }
            Console.Error.WriteLine(System.Text.Json.JsonSerializer.Serialize(rows[^1]));
        }
        return rows;
    }

    private static object CheckOne(string path, string inputPath, string outputPath, int threads, Func<Action, double> median)
    {
        using var model = OnnxModel.Load(path);
        model.eval();
        using var input = Npy.Load(inputPath);
        using var pytorch = Npy.Load(outputPath);
        Tensor ours;
        using (no_grad()) ours = model.call(input);
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL, IntraOpNumThreads = threads };
        using var session = new InferenceSession(path, options);
        var feed = new DenseTensor<float>(input.data<float>().ToArray(), input.shape.Select(d => (int)d).ToArray());
        float[] Ort()
        {
            using var results = session.Run([NamedOnnxValue.CreateFromTensor(session.InputMetadata.Keys.First(), feed)]);
            return results.First().AsTensor<float>().ToArray();
        }
        var ort = Ort();
        var mine = ours.data<float>().ToArray();
        var reference = pytorch.data<float>().ToArray();
        double Worst(float[] expected) => mine.Zip(expected).Max(z => Math.Abs((double)z.First - z.Second));
        double ortScale = ort.Max(v => Math.Abs((double)v)), ptScale = reference.Max(v => Math.Abs((double)v));
        double ortMs = median(() => Ort());
        double? camMs = null;
        string? cam = null;
        try
        {
            var image = ImageInput.FromTensor(input);
            camMs = median(() => Explain.Prediction(model, image, "gradcam", cache: new AutoTimm.Interpretation.Batch.ExplanationCache()));
        }
        catch (NotSupportedException e)
        {
            cam = e.Message;
        }
        return new
        {
            model = Path.GetFileNameWithoutExtension(path),
            ops = string.Join(" ", model.Operators),
            max_abs_diff_ort = Worst(ort),
            max_abs_ort = ortScale,
            within_tolerance_ort = Worst(ort) <= 1e-4 * ortScale + 1e-6,
            max_abs_diff_pytorch = Worst(reference),
            within_tolerance_pytorch = Worst(reference) <= 1e-4 * ptScale + 1e-6,
            ort_inference_ms = Math.Round(ortMs, 2),
            gradcam_ms = camMs is { } ms ? Math.Round(ms, 2) : (double?)null,
            gradcam_over_ort_inference = camMs is { } c ? Math.Round(c / ortMs, 2) : (double?)null,
            gradcam_error = cam,
            default_target_layer = cam is null ? model.DefaultTargetLayer : null,
        };
    }
}
