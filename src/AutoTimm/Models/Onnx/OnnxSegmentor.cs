using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace AutoTimm.Models.Onnx;

/// <summary>
/// An ONNX semantic segmenter: the graph runs as an <see cref="OnnxModel"/> inside, and its scored output, per-pixel
/// class logits [N, K, h, w], is what the segmentation explanations read (upsampled bilinearly to the input size when
/// the graph stops short of it). Layers are the graph's output names, as for <see cref="OnnxModel"/>; the default
/// target layer is the last [N, C, H, W] map below the output's resolution that is not itself K-channel logits (the
/// features the head reads, where pytorch-grad-cam's segmentation tutorial looks).
/// </summary>
public sealed class OnnxSegmentor : SemanticSegmentor, INamedLayers
{
    private readonly OnnxModel _graph;
    private readonly string _defaultTarget;

    private OnnxSegmentor(OnnxModel graph, string name, OnnxModelOptions options, long classes, string defaultTarget)
        : base("onnx_segmentor", new ModelConfig
        {
            Arch = $"onnx:{name}",
            Task = ModelTask.SemanticSegmentor,
            NumClasses = (int)classes,
            Preprocess = graph.Config.Preprocess,
            ClassNames = options.ClassNames,
        })
    {
        _graph = graph;
        _defaultTarget = defaultTarget;
        register_module("graph", graph);
    }

    /// <summary>Loads an ONNX segmenter.</summary>
    /// <param name="path">The .onnx file.</param>
    /// <param name="options">How images become its input (see <see cref="OnnxModel.Load"/>); null reads the sidecar beside the model.</param>
    /// <exception cref="NotSupportedException">The graph's output is not [N, K, H, W] logits with K &gt;= 2, or it uses an operator the executor lacks.</exception>
    public static OnnxSegmentor Load(string path, OnnxModelOptions? options = null)
    {
        options ??= OnnxSidecar.FindFor(path) is { } sidecar ? OnnxSidecar.Read(sidecar) : new OnnxModelOptions();
        var name = Path.GetFileNameWithoutExtension(path);
        var graph = OnnxModel.Load(path, options with { ClassNames = null, Task = ModelTask.ImageClassifier });
        try
        {
            var output = graph.ShapeOf(graph.ClassifierName);
            if (output is not [_, >= 2 and var classes, > 0 and var height, > 0])
                throw new NotSupportedException($"ONNX graph '{name}' outputs '{graph.ClassifierName}' shaped [{string.Join(", ", output)}]; a segmenter outputs per-pixel logits [N, K, H, W] with K >= 2");
            if (options.ClassNames is { } names && names.Count != classes)
                throw new ArgumentException($"{names.Count} class names given for ONNX segmenter '{name}', whose output has {classes} classes");
            var target = graph.SpatialLayers.LastOrDefault(l => graph.ShapeOf(l) is [_, var c, var h, > 1] && c != classes && h > 1 && h < height)
                ?? graph.DefaultTargetLayer;
            return new OnnxSegmentor(graph, name, options, classes, target);
        }
        catch
        {
            graph.Dispose();
            throw;
        }
    }

    /// <summary>The graph, run as a model: its layers, operators and shapes.</summary>
    public OnnxModel Graph => _graph;

    /// <inheritdoc/>
    public override string DefaultTargetLayer => _defaultTarget;

    /// <inheritdoc/>
    public override TokenLayout? TokenLayout => _graph.TokenLayout;

    /// <inheritdoc/>
    public nn.Module? FindLayer(string name) => _graph.FindLayer(name);

    /// <inheritdoc/>
    public string? LayerName(nn.Module layer) => _graph.LayerName(layer);

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        var logits = _graph.Output(input);
        return logits.shape[2] == input.shape[2] && logits.shape[3] == input.shape[3]
            ? logits
            : F.interpolate(logits, [input.shape[2], input.shape[3]], mode: InterpolationMode.Bilinear, align_corners: false);
    }
}
