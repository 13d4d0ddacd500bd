using AutoTimm.Imaging;
using Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoTimm.Models.Onnx;

/// <summary>
/// An ONNX image classifier run by TorchSharp ops, so autograd differentiates it and every explanation method works
/// on it. Every node output is a layer, named by the output's name (the part of a graph that is never empty), which
/// hooks capture like any module: <c>--target-layer</c> takes those names, and the default target layer is the last
/// output that is still a spatial map <c>[N,C,H,W]</c> with H, W &gt; 1.
/// </summary>
/// <remarks>
/// ONNX carries no preprocessing: the input size, mean, std and class names come from the caller (ImageNet's at
/// 224 px by default). Weights stay the graph's initializers, held as frozen parameters that move with the model.
/// </remarks>
public sealed class OnnxModel : ImageClassifier, INamedLayers
{
    private readonly GraphProto _graph;
    private readonly long _opset;
    private readonly string _input;
    private readonly string _output;
    private readonly Dictionary<string, string> _initializerNames = new(StringComparer.Ordinal);
    private readonly Dictionary<string, OnnxTap> _taps = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long[]> _shapes = new(StringComparer.Ordinal);
    private readonly string? _defaultTarget;

    private OnnxModel(ModelProto model, string name, PreprocessConfig preprocess, IReadOnlyList<string>? classNames)
        : base("onnx", new ModelConfig { Arch = $"onnx:{name}", NumClasses = 1, Preprocess = preprocess, ClassNames = classNames })
    {
        _graph = model.Graph;
        _opset = model.OpsetImport.Where(o => o.Domain is "" or "ai.onnx").Max(o => o.Version);
        var initialized = _graph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var inputs = _graph.Input.Where(i => !initialized.Contains(i.Name)).ToList();
        if (inputs.Count != 1) throw new NotSupportedException($"ONNX graph '{name}' has {inputs.Count} inputs ({string.Join(", ", inputs.Select(i => i.Name))}); an image model has one");
        if (_graph.Output.Count == 0) throw new InvalidDataException($"ONNX graph '{name}' has no output");
        _input = inputs[0].Name;
        _output = _graph.Output[0].Name;
        foreach (var initializer in _graph.Initializer)
        {
            var value = OnnxTensors.ToTensor(initializer);
            var registered = Unique($"weight_{Sanitize(initializer.Name)}");
            if (value.is_floating_point()) register_parameter(registered, new TorchSharp.Modules.Parameter(value, requires_grad: false));
            else register_buffer(registered, value);
            _initializerNames[initializer.Name] = registered;
        }
        foreach (var node in _graph.Node)
            foreach (var output in node.Output.Where(o => o.Length > 0))
            {
                var tap = new OnnxTap(output);
                register_module(Unique(Sanitize(output)), tap);
                _taps[output] = tap;
            }

        // One forward at the configured size learns every output's shape: the classes, the default target layer.
        eval();
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            using var probe = zeros(1, 3, preprocess.Height, preprocess.Width);
            var logits = Run(probe, (output, value) => _shapes[output] = value.shape);
            if (logits.dim() != 2) throw new NotSupportedException($"ONNX graph '{name}' outputs shape [{string.Join(", ", logits.shape)}]; a classifier outputs [N, classes]");
            if (classNames is not null && classNames.Count != logits.shape[1])
                throw new ArgumentException($"{classNames.Count} class names given for ONNX graph '{name}', which outputs {logits.shape[1]} classes");
            Config = Config with { NumClasses = (int)logits.shape[1] };
        }
        _defaultTarget = _graph.Node.SelectMany(n => n.Output).Where(o => o.Length > 0)
            .LastOrDefault(o => _shapes.TryGetValue(o, out var s) && s.Length == 4 && s[2] > 1 && s[3] > 1) is { } spatial
            ? spatial
            : null;
    }

    /// <summary>Loads an ONNX classifier.</summary>
    /// <param name="path">The .onnx file; external-data weights are read from beside it.</param>
    /// <param name="preprocess">Input size, mean and std (ImageNet at 224 px when null).</param>
    /// <param name="classNames">Class labels, in output order.</param>
    /// <exception cref="Checkpoints.CheckpointFormatException">The file is not a valid ONNX model.</exception>
    /// <exception cref="NotSupportedException">The graph uses an operator or variant the executor lacks; the message names it, its node and its opset.</exception>
    public static OnnxModel Load(string path, PreprocessConfig? preprocess = null, IReadOnlyList<string>? classNames = null) =>
        FromProto(OnnxFile.Read(path), Path.GetFileNameWithoutExtension(path), preprocess, classNames);

    internal static OnnxModel FromProto(ModelProto model, string name, PreprocessConfig? preprocess = null, IReadOnlyList<string>? classNames = null) =>
        new(model, name, preprocess ?? PreprocessConfig.ImageNet, classNames);

    /// <summary>The operator set version the graph imports.</summary>
    public long Opset => _opset;

    /// <summary>The operator types the graph uses, sorted.</summary>
    public IReadOnlyList<string> Operators => [.. _graph.Node.Select(n => n.OpType).Distinct().Order(StringComparer.Ordinal)];

    /// <summary>Every node output's name, in graph order: the layers of this model.</summary>
    public IReadOnlyList<string> LayerNames => [.. _graph.Node.SelectMany(n => n.Output).Where(o => o.Length > 0)];

    /// <summary>Shape of a node output at the configured input size, with batch 1.</summary>
    public IReadOnlyList<long> ShapeOf(string output) => _shapes.TryGetValue(output, out var s) ? s : throw new LayerNotFoundException(output, []);

    /// <inheritdoc/>
    /// <exception cref="NotSupportedException">The graph has no spatial layer (a transformer's tokens): name a layer.</exception>
    public override string DefaultTargetLayer => _defaultTarget
        ?? throw new NotSupportedException($"{Config.Arch} has no spatial layer ([N,C,H,W] with H, W > 1) to explain by default; name one of its layers (--target-layer)");

    /// <inheritdoc/>
    public override string ClassifierName => _output;

    /// <inheritdoc/>
    public nn.Module? FindLayer(string name) => _taps.TryGetValue(name, out var tap) ? tap : null;

    /// <inheritdoc/>
    public string? LayerName(nn.Module layer) => layer is OnnxTap tap && _taps.TryGetValue(tap.Output, out var mine) && ReferenceEquals(mine, tap) ? tap.Output : null;

    /// <inheritdoc/>
    public override Tensor forward(Tensor input) => Run(input, null);

    /// <inheritdoc/>
    public override Tensor ForwardFeatures(Tensor input)
    {
        Tensor? features = null;
        var target = DefaultTargetLayer;
        Run(input, (output, value) => { if (output == target) features = value; });
        return features!;
    }

    private Tensor Run(Tensor input, Action<string, Tensor>? seen)
    {
        var values = new Dictionary<string, Tensor>(StringComparer.Ordinal) { [_input] = input };
        var parameters = named_parameters().Select(p => (p.name, (Tensor)p.parameter)).Concat(named_buffers()).ToDictionary(p => p.Item1, p => p.Item2, StringComparer.Ordinal);
        foreach (var (onnxName, registered) in _initializerNames) values[onnxName] = parameters[registered];
        foreach (var node in _graph.Node)
        {
            var inputs = node.Input.Select(name => name.Length == 0 ? null
                : values.TryGetValue(name, out var v) ? v : throw new InvalidDataException($"ONNX node {node.OpType} '{node.Name}' reads '{name}', which no earlier node or initializer produces")).ToArray();
            var outputs = OnnxOps.Run(new OnnxNode(node, inputs, _opset));
            for (int i = 0; i < node.Output.Count && i < outputs.Length; i++)
            {
                var name = node.Output[i];
                if (name.Length == 0) continue;
                var value = _taps[name].call(outputs[i]);
                values[name] = value;
                seen?.Invoke(name, value);
            }
        }
        return values.TryGetValue(_output, out var result) ? result : throw new InvalidDataException($"no node produces the graph output '{_output}'");
    }

    private readonly HashSet<string> _registered = new(StringComparer.Ordinal);

    private string Unique(string name)
    {
        var candidate = name;
        for (int i = 1; !_registered.Add(candidate); i++) candidate = $"{name}_{i}";
        return candidate;
    }

    // Module names cannot hold '.', which separates a dotted path.
    private static string Sanitize(string name) => name.Replace('.', '_');
}
