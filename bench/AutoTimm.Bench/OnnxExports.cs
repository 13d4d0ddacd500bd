using AutoTimm.Imaging;
using AutoTimm.Interpretation;
using AutoTimm.Models.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

/// <summary>
/// Every ONNX graph in a folder against ONNX Runtime (graph optimizations off): the operators it uses, the largest
/// difference over all its outputs against the tolerance max|d| &lt;= 1e-4 max|ref| + 1e-6, and Grad-CAM's time
/// relative to one ONNX Runtime inference, in the same run. The exports of tools/onnx/export_torchvision.py come with
/// an input and PyTorch's output (<c>{model}_input.npy</c>, <c>{model}_output.npy</c>), also compared; other graphs
/// (tools/onnx/fetch_models.sh) are fed a photo ({model}.png beside the graph, else the default), prepared as their sidecar (model.onnx.json) describes. A sidecar's
/// preprocessing graph is left out, so that each file is compared alone with ONNX Runtime running that file.
/// </summary>
internal static class OnnxExports
{
    public static IReadOnlyList<object> Check(string folder, string photo, int threads, Func<Action, double> median)
    {
        var rows = new List<object>();
        foreach (var path in Directory.GetFiles(folder, "*.onnx").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileNameWithoutExtension(path);
            var stem = name.Contains("_opset", StringComparison.Ordinal) ? name[..name.LastIndexOf("_opset", StringComparison.Ordinal)] : name;
            try
            {
                var own = Path.ChangeExtension(path, ".png");
                rows.Add(CheckOne(path, Path.Combine(folder, $"{stem}_input.npy"), Path.Combine(folder, $"{stem}_output.npy"), File.Exists(own) ? own : photo, threads, median));
            }
            catch (Exception e) when (e is NotSupportedException or InvalidDataException or ArgumentException)
            {
                rows.Add(new { model = name, error = e.Message });
            }
            Console.Error.WriteLine(System.Text.Json.JsonSerializer.Serialize(rows[^1]));
        }
        return rows;
    }

    private static object CheckOne(string path, string inputPath, string outputPath, string photo, int threads, Func<Action, double> median)
    {
        var described = OnnxSidecar.FindFor(path) is { } sidecar ? OnnxSidecar.Read(sidecar) : new OnnxModelOptions();
        using var model = OnnxModel.Load(path, described with { PreprocessGraph = null });
        model.eval();
        var p = model.Config.Preprocess;
        bool exported = File.Exists(inputPath);
        // The library-space image; the graph is fed the same pixels in its own layout.
        using var image = exported ? Npy.Load(inputPath) : ImageInput.FromFile(photo).ToModelInput(p);
        using var graphInput = model.ToGraphInput(image).contiguous();
        IReadOnlyDictionary<string, Tensor> ours;
        using (no_grad()) ours = model.RunGraph(graphInput);

        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL, IntraOpNumThreads = threads };
        using var session = new InferenceSession(path, options);
        var feed = new DenseTensor<float>(graphInput.data<float>().ToArray(), graphInput.shape.Select(d => (int)d).ToArray());
        Dictionary<string, float[]> Ort()
        {
            using var results = session.Run([NamedOnnxValue.CreateFromTensor(session.InputMetadata.Keys.First(), feed)]);
            return results.ToDictionary(r => r.Name, r => r.AsTensor<float>().ToArray());
        }
        var ort = Ort();
        double worst = 0, scale = 0;
        foreach (var (name, expected) in ort)
        {
            var mine = ours[name].contiguous().data<float>().ToArray();
            if (mine.Length != expected.Length) throw new InvalidDataException($"output '{name}' has {mine.Length} values, ONNX Runtime's {expected.Length}");
            worst = Math.Max(worst, mine.Zip(expected).Max(z => Math.Abs((double)z.First - z.Second)));
            scale = Math.Max(scale, expected.Max(v => Math.Abs((double)v)));
        }
        double? pytorchDiff = null;
        bool? pytorchOk = null;
        if (exported)
        {
            using var pytorch = Npy.Load(outputPath);
            var reference = pytorch.data<float>().ToArray();
            var mine = ours[model.ClassifierName].contiguous().data<float>().ToArray();
            pytorchDiff = mine.Zip(reference).Max(z => Math.Abs((double)z.First - z.Second));
            pytorchOk = pytorchDiff <= 1e-4 * reference.Max(v => Math.Abs((double)v)) + 1e-6;
        }
        double ortMs = median(() => Ort());
        double? camMs = null;
        string? cam = null;
        try
        {
            var input = ImageInput.FromTensor(image);
            camMs = median(() => Explain.Prediction(model, input, "gradcam", cache: new AutoTimm.Interpretation.Batch.ExplanationCache()));
        }
        catch (NotSupportedException e)
        {
            cam = e.Message;
        }
        // Where the export's weights are also saved as a state_dict ({stem}.pth), Grad-CAM on the native model.
        double? nativePearson = null;
        var stateDict = Path.Combine(Path.GetDirectoryName(inputPath)!, Path.GetFileNameWithoutExtension(inputPath).Replace("_input", "") + ".pth");
        if (exported && File.Exists(stateDict))
        {
            using var native = (AutoTimm.Models.ImageClassifier)AutoTimm.Models.ModelCheckpoint.Load(stateDict, Path.GetFileNameWithoutExtension(stateDict), null);
            var input = ImageInput.FromTensor(image);
            var fromNative = Explain.Prediction(native, input, "gradcam", cache: new AutoTimm.Interpretation.Batch.ExplanationCache()).Heatmap!;
            var fromOnnx = Explain.Prediction(model, input, "gradcam", cache: new AutoTimm.Interpretation.Batch.ExplanationCache()).Heatmap!;
            if (fromNative.NativeResolution != fromOnnx.NativeResolution || fromNative.TargetClass != fromOnnx.TargetClass)
                throw new InvalidDataException($"native Grad-CAM explains class {fromNative.TargetClass} at {fromNative.NativeResolution}, the export's class {fromOnnx.TargetClass} at {fromOnnx.NativeResolution}");
            nativePearson = AutoTimm.Interpretation.Metrics.Statistics.Pearson(fromNative.Values.Select(v => (double)v).ToArray(), fromOnnx.Values.Select(v => (double)v).ToArray()).Value;
        }
        return new
        {
            model = Path.GetFileNameWithoutExtension(path),
            opset = model.Opset,
            input = $"[{string.Join(", ", graphInput.shape)}] {model.Layout}",
            outputs = ort.Count,
            ops = string.Join(" ", model.Operators),
            max_abs_diff_ort = worst,
            max_abs_ort = scale,
            within_tolerance_ort = worst <= 1e-4 * scale + 1e-6,
            max_abs_diff_pytorch = pytorchDiff,
            within_tolerance_pytorch = pytorchOk,
            ort_inference_ms = Math.Round(ortMs, 2),
            gradcam_ms = camMs is { } ms ? Math.Round(ms, 2) : (double?)null,
            gradcam_over_ort_inference = camMs is { } c ? Math.Round(c / ortMs, 2) : (double?)null,
            gradcam_error = cam,
            default_target_layer = cam is null ? model.DefaultTargetLayer : null,
            gradcam_pearson_vs_native = nativePearson,
        };
    }
}
