using AutoTimm.Imaging;
using Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoTimm.Models.Onnx;

/// <summary>
/// An ONNX image model run by TorchSharp ops, so autograd differentiates it and every explanation method works on
/// it. Every node output is a layer, named by the output's name (the part of a graph that is never empty), which
/// hooks capture like any module: <c>--target-layer</c> takes those names, and the default target layer is the last
/// output that is still a spatial map <c>[N,C,H,W]</c> with H, W &gt; 1.
/// </summary>
/// <remarks>
/// ONNX carries no preprocessing: <see cref="OnnxModelOptions"/> say how an image becomes the graph's input (size,
/// layout, channel order, value range, mean, std) and what its output means. The model takes the library's RGB,
/// [N, 3, H, W] normalized images and converts them inside its forward pass, so attributions land in image space
/// whatever the graph's layout. The scored output is flattened per image when it has more than two axes (an
/// embedding [N, C, 1, 1] gives C scores). Weights stay the graph's initializers, held as frozen parameters that move
/// with the model.
/// </remarks>
public sealed class OnnxModel : ImageClassifier, INamedLayers, IAttentionModel
{
    /// <summary>One graph of the pipeline: its input, its scored output, all its outputs, its nodes and its operator set.</summary>
    private sealed record Stage(string Input, string Output, IReadOnlyList<string> Outputs, IReadOnlyList<NodeProto> Nodes, long Opset);

    private readonly IReadOnlyList<Stage> _stages;
    private readonly OnnxLayout _layout;
    private readonly OnnxChannelOrder _channelOrder;
    private readonly Dictionary<string, string> _initializerNames = new(StringComparer.Ordinal);
    private readonly Dictionary<string, OnnxTap> _taps = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long[]> _shapes = new(StringComparer.Ordinal);
    private readonly string? _defaultTarget;
    private readonly OnnxAttention? _attention;
    private readonly Dictionary<string, (OnnxTap View, OnnxAttention.Probe Probe)> _attentionViews = new(StringComparer.Ordinal);
    private readonly bool _oneImageAtATime;

    private OnnxModel(ModelProto model, string name, OnnxModelOptions options, ModelProto? preprocessGraph)
        : base("onnx", new ModelConfig { Arch = $"onnx:{name}", NumClasses = 1, ClassNames = options.ClassNames })
    {
        options.Validate($"ONNX graph '{name}'");
        var stages = new List<Stage>();
        var graphs = new List<GraphProto>();
        if (preprocessGraph is not null)
        {
            var prefixed = Prefixed(preprocessGraph.Graph, "preprocess/");
            stages.Add(StageOf(prefixed, OpsetOf(preprocessGraph), $"{name} preprocessing", null));
            graphs.Add(prefixed);
        }
        stages.Add(StageOf(model.Graph, OpsetOf(model), name, options.Output));
        graphs.Add(model.Graph);
        _stages = stages;

        var declared = Declared(graphs[0], _stages[0].Input);
        _layout = options.Layout ?? (declared is [_, var c, _, 3] && c != 3 ? OnnxLayout.Nhwc : OnnxLayout.Nchw);
        _channelOrder = options.ChannelOrder;
        int height = options.Height ?? DeclaredSize(declared, _layout == OnnxLayout.Nhwc ? 1 : 2);
        int width = options.Width ?? DeclaredSize(declared, _layout == OnnxLayout.Nhwc ? 2 : 3);
        Config = Config with { Preprocess = options.ToPreprocess(height, width) };
        // A graph exported for one image may bake its batch into shapes (BlazeFace reshapes to [1, 512, 1]).
        _oneImageAtATime = declared is [1, ..] && _stages.SelectMany(s => s.Nodes).Any(n => !BatchAgnostic.Contains(n.OpType));

        foreach (var initializer in graphs.SelectMany(g => g.Initializer))
        {
            var value = OnnxTensors.ToTensor(initializer);
            var registered = Unique($"weight_{Sanitize(initializer.Name)}");
            if (value.is_floating_point()) register_parameter(registered, new TorchSharp.Modules.Parameter(value, requires_grad: false));
            else register_buffer(registered, value);
            _initializerNames[initializer.Name] = registered;
        }
        foreach (var output in LayerNames)
        {
            var tap = new OnnxTap(output);
            register_module(Unique(Sanitize(output)), tap);
            _taps[output] = tap;
        }

        // One forward at the configured size learns every output's shape: the scores, the default target layer.
        eval();
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            using var probe = zeros(1, 3, height, width);
            var scores = Run(probe, (output, value) => _shapes[output] = value.shape);
            if (options.ClassNames is { } names && names.Count != scores.shape[1])
                throw new ArgumentException($"{names.Count} class names given for ONNX graph '{name}', whose output '{_stages[^1].Output}' has {scores.shape[1]} values per image");
            Config = Config with { NumClasses = (int)scores.shape[1] };
        }
        _attention = OnnxAttention.Find(_stages.SelectMany(s => s.Nodes).ToList(), _shapes);
        // Each block's attention is seen as [N, heads, T, T] by a probe of its own, also where the graph keeps it [N*heads, T, T].
        foreach (var probe in _attention?.Probes ?? [])
        {
            var view = new OnnxTap(probe.Output);
            register_module(Unique($"attention_{_attentionViews.Count}"), view);
            _attentionViews[probe.Output] = (view, probe);
        }
        // A transformer is explained on its tokens; a CNN on its last spatial map.
        var spatial = SpatialMaps(_stages.SelectMany(s => s.Nodes), _shapes);
        SpatialLayers = [.. LayerNames.Where(spatial.Contains)];
        _defaultTarget = _attention?.ResidualStream ?? LayerNames.LastOrDefault(o => spatial.Contains(o) && _shapes[o] is [_, _, > 1, > 1]);
    }

    /// <summary>Loads an ONNX model.</summary>
    /// <param name="path">The .onnx file; external-data weights are read from beside it.</param>
    /// <param name="options">How images become its input and what its output means; null reads <c>model.onnx.json</c> beside the model when there is one, else ImageNet's normalization at the graph's declared size.</param>
    /// <exception cref="Checkpoints.CheckpointFormatException">The file, or its preprocessing graph, is not a valid ONNX model.</exception>
    /// <exception cref="NotSupportedException">The graph uses an operator or variant the executor lacks; the message names it, its node and its opset.</exception>
    /// <exception cref="InvalidDataException">The sidecar JSON is invalid; the message names the file and the key.</exception>
    public static OnnxModel Load(string path, OnnxModelOptions? options = null)
    {
        options ??= OnnxSidecar.FindFor(path) is { } sidecar ? OnnxSidecar.Read(sidecar) : new OnnxModelOptions();
        var model = OnnxFile.Read(path);
        var preprocess = options.PreprocessGraph is { } graph ? OnnxFile.Read(graph) : null;
        return new OnnxModel(model, Path.GetFileNameWithoutExtension(path), options, preprocess);
    }

    internal static OnnxModel FromProto(ModelProto model, string name, OnnxModelOptions? options = null) =>
        new(model, name, options ?? new OnnxModelOptions(), null);

    private static long OpsetOf(ModelProto model) => model.OpsetImport.Where(o => o.Domain is "" or "ai.onnx").Max(o => o.Version);

    private static Stage StageOf(GraphProto graph, long opset, string name, string? output)
    {
        var initialized = graph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var inputs = graph.Input.Where(i => !initialized.Contains(i.Name)).ToList();
        if (inputs.Count != 1) throw new NotSupportedException($"ONNX graph '{name}' has {inputs.Count} inputs ({string.Join(", ", inputs.Select(i => i.Name))}); an image model has one");
        if (graph.Output.Count == 0) throw new InvalidDataException($"ONNX graph '{name}' has no output");
        if (output is not null && !graph.Output.Any(o => o.Name == output))
            throw new ArgumentException($"ONNX graph '{name}' has no output '{output}' (outputs: {string.Join(", ", graph.Output.Select(o => o.Name))})");
        return new Stage(inputs[0].Name, output ?? graph.Output[0].Name, [.. graph.Output.Select(o => o.Name)], graph.Node, opset);
    }

    /// <summary>A copy of <paramref name="graph"/> with every value name prefixed, so it cannot collide with the model's.</summary>
    private static GraphProto Prefixed(GraphProto graph, string prefix)
    {
        var copy = graph.Clone();
        string Rename(string n) => n.Length == 0 ? n : prefix + n;
        foreach (var node in copy.Node)
        {
            for (int i = 0; i < node.Input.Count; i++) node.Input[i] = Rename(node.Input[i]);
            for (int i = 0; i < node.Output.Count; i++) node.Output[i] = Rename(node.Output[i]);
        }
        foreach (var t in copy.Initializer) t.Name = Rename(t.Name);
        foreach (var v in copy.Input.Concat(copy.Output)) v.Name = Rename(v.Name);
        return copy;
    }

    /// <summary>Operators whose output is an [N, C, H, W] map when their input is (or that make one: convolutions, pooling).</summary>
    private static readonly HashSet<string> KeepsLayout = new(StringComparer.Ordinal)
    {
        "Relu", "Clip", "Sigmoid", "HardSigmoid", "HardSwish", "Tanh", "Erf", "Mul", "Add", "Sub", "Div", "BatchNormalization",
        "Concat", "Pad", "Identity", "Dropout", "Max", "Min", "Pow", "Sqrt", "Neg", "Abs", "Exp", "Log", "Reciprocal", "Split",
    };

    /// <summary>
    /// The node outputs that are [N, C, H, W] maps, followed from the ops that make them (convolutions, pooling,
    /// resizing, a Transpose from NHWC to NCHW) through the ops that keep the layout. A rank-4 tensor in NHWC order (a
    /// TensorFlow head, a Swin stage) has the same rank but is not a map to explain channel by channel.
    /// </summary>
    private static HashSet<string> SpatialMaps(IEnumerable<NodeProto> nodes, IReadOnlyDictionary<string, long[]> shapes)
    {
        var maps = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            bool makesMaps = node.OpType switch
            {
                "Conv" or "ConvTranspose" or "MaxPool" or "AveragePool" or "Resize" or "Upsample" => true,
                "Transpose" => node.Attribute.FirstOrDefault(a => a.Name == "perm")?.Ints.SequenceEqual([0L, 3, 1, 2]) == true,
                var op when KeepsLayout.Contains(op) => node.Input.Any(maps.Contains),
                _ => false,
            };
            if (!makesMaps) continue;
            foreach (var output in node.Output)
                if (shapes.TryGetValue(output, out var shape) && shape.Length == 4) maps.Add(output);
        }
        return maps;
    }

    /// <summary>Operators that never read the batch size from a shape: a graph of these alone runs batches whatever its declared batch.</summary>
    private static readonly HashSet<string> BatchAgnostic = new(StringComparer.Ordinal)
    {
        "Conv", "ConvTranspose", "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "BatchNormalization",
        "Relu", "Sigmoid", "Tanh", "HardSigmoid", "HardSwish", "Erf", "Sqrt", "Exp", "Log", "Neg", "Abs", "Reciprocal",
        "Pow", "Identity", "Dropout", "Add", "Sub", "Mul", "Div", "Max", "Min", "Clip", "Constant",
    };

    /// <summary>The graph input's declared dimensions (0 where dynamic), or null when it declares no shape.</summary>
    private static long[]? Declared(GraphProto graph, string input) =>
        graph.Input.First(i => i.Name == input).Type?.TensorType?.Shape is { } shape ? shape.Dim.Select(d => d.DimValue).ToArray() : null;

    private static int DeclaredSize(long[]? declared, int axis) =>
        declared is { Length: 4 } && declared[axis] is >= 8 and <= 4096 ? (int)declared[axis] : 224;

    /// <summary>The layers that are [N, C, H, W] maps, in graph order.</summary>
    internal IReadOnlyList<string> SpatialLayers { get; }

    /// <summary>The scored output as the graph gives it, not flattened: a segmenter's [N, K, H, W] logits.</summary>
    internal Tensor Output(Tensor input) => Execute(ToGraphInput(input), null)[_stages[^1].Output];

    /// <summary>The operator set version the model's graph imports.</summary>
    public long Opset => _stages[^1].Opset;

    /// <summary>The graph's input layout.</summary>
    public OnnxLayout Layout => _layout;

    /// <summary>The operator types the graphs use, sorted.</summary>
    public IReadOnlyList<string> Operators => [.. _stages.SelectMany(s => s.Nodes).Select(n => n.OpType).Distinct().Order(StringComparer.Ordinal)];

    /// <summary>Every node output's name, in graph order (a preprocessing graph's first, prefixed "preprocess/"): the layers of this model.</summary>
    public IReadOnlyList<string> LayerNames => [.. _stages.SelectMany(s => s.Nodes).SelectMany(n => n.Output).Where(o => o.Length > 0)];

    /// <summary>Shape of a node output at the configured input size, with batch 1.</summary>
    public IReadOnlyList<long> ShapeOf(string output) => _shapes.TryGetValue(output, out var s) ? s : throw new LayerNotFoundException(output, []);

    /// <inheritdoc/>
    /// <exception cref="NotSupportedException">The graph has no spatial layer (a transformer's tokens): name a layer.</exception>
    public override string DefaultTargetLayer => _defaultTarget
        ?? throw new NotSupportedException($"{Config.Arch} has no spatial layer ([N,C,H,W] with H, W > 1) to explain by default; name one of its layers (--target-layer)");

    /// <inheritdoc/>
    public override string ClassifierName => _stages[^1].Output;

    /// <inheritdoc/>
    /// <remarks>The Softmax outputs of the graph's attention blocks, found by their shape [N, heads, T, T].</remarks>
    public IReadOnlyList<nn.Module<Tensor, Tensor>> AttentionProbes => [.. RequireAttention().Probes.Select(p => _attentionViews[p.Output].View)];

    /// <inheritdoc/>
    TokenLayout IAttentionModel.TokenLayout => RequireAttention().Layout;

    /// <inheritdoc/>
    public override TokenLayout? TokenLayout => _attention?.Layout;

    /// <inheritdoc/>
    public int? ClassTokenIndex => RequireAttention().Layout.PrefixTokens > 0 ? 0 : null;

    /// <inheritdoc/>
    public string? AttentionUnavailable => _attention is null
        ? $"{Config.Arch} has no attention blocks (Softmax outputs [N, heads, T, T] over a patch grid); attention methods need a transformer"
        : null;

    private OnnxAttention RequireAttention() => _attention ?? throw new NotSupportedException(AttentionUnavailable);

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

    /// <summary>
    /// Runs the graph on a tensor already in its own layout, channel order and units (what ONNX Runtime would be fed)
    /// and returns every output the model's graph declares, by name: for checking the import against another runtime.
    /// </summary>
    public IReadOnlyDictionary<string, Tensor> RunGraph(Tensor graphInput)
    {
        var values = Execute(graphInput, null);
        return _stages[^1].Outputs.ToDictionary(o => o, o => values.TryGetValue(o, out var v) ? v : throw new InvalidDataException($"no node produces the graph output '{o}'"), StringComparer.Ordinal);
    }

    /// <summary>The library's RGB [N, 3, H, W] normalized image in the graph's layout and channel order.</summary>
    public Tensor ToGraphInput(Tensor input)
    {
        var graphInput = _channelOrder == OnnxChannelOrder.Bgr ? input.flip(1) : input;
        return _layout == OnnxLayout.Nhwc ? graphInput.permute(0, 2, 3, 1) : graphInput;
    }

    private Tensor Run(Tensor input, Action<string, Tensor>? seen)
    {
        var values = Execute(ToGraphInput(input), seen);
        var result = values[_stages[^1].Output];
        if (result.dim() < 2) throw new NotSupportedException($"{Config.Arch}'s output '{_stages[^1].Output}' has shape [{string.Join(", ", result.shape)}]; scores need a batch axis and at least one value per image");
        return result.dim() == 2 ? result : result.flatten(1);
    }

    private Dictionary<string, Tensor> Execute(Tensor graphInput, Action<string, Tensor>? seen)
    {
        if (_oneImageAtATime && graphInput.shape[0] > 1) return ExecuteOneImageAtATime(graphInput, seen);
        var values = Initializers();
        Tensor result = graphInput;
        foreach (var stage in _stages)
        {
            values[stage.Input] = result;
            foreach (var node in stage.Nodes)
            {
                var outputs = OnnxOps.Run(new OnnxNode(node, node.Input.Select(name => Read(node, name, values)).ToArray(), stage.Opset));
                for (int i = 0; i < node.Output.Count && i < outputs.Length; i++)
                {
                    var name = node.Output[i];
                    if (name.Length == 0) continue;
                    var value = Tap(name, outputs[i]);
                    values[name] = value;
                    seen?.Invoke(name, value);
                }
            }
            result = values.TryGetValue(stage.Output, out var output) ? output : throw new InvalidDataException($"no node produces the graph output '{stage.Output}'");
        }
        return values;
    }

    /// <summary>
    /// Runs a graph whose shapes hold batch 1 on each image in turn, node by node: values computed from the input are
    /// kept per image, and every layer still sees (and hooks may replace) the whole batch, joined along the first axis.
    /// </summary>
    private Dictionary<string, Tensor> ExecuteOneImageAtATime(Tensor graphInput, Action<string, Tensor>? seen)
    {
        var shared = Initializers();
        var perImage = new Dictionary<string, Tensor[]>(StringComparer.Ordinal);
        int images = (int)graphInput.shape[0];
        var current = graphInput.split(1);
        foreach (var stage in _stages)
        {
            perImage[stage.Input] = current;
            foreach (var node in stage.Nodes)
            {
                if (!node.Input.Any(perImage.ContainsKey))
                {
                    var outputs = OnnxOps.Run(new OnnxNode(node, node.Input.Select(name => Read(node, name, shared)).ToArray(), stage.Opset));
                    for (int i = 0; i < node.Output.Count && i < outputs.Length; i++)
                    {
                        if (node.Output[i].Length == 0) continue;
                        shared[node.Output[i]] = Tap(node.Output[i], outputs[i]);
                        seen?.Invoke(node.Output[i], shared[node.Output[i]]);
                    }
                    continue;
                }
                var results = new Tensor[images][];
                for (int k = 0; k < images; k++)
                    results[k] = OnnxOps.Run(new OnnxNode(node, node.Input.Select(name => name.Length == 0 ? null
                        : perImage.TryGetValue(name, out var parts) ? parts[k] : Read(node, name, shared)).ToArray(), stage.Opset));
                for (int i = 0; i < node.Output.Count && i < results[0].Length; i++)
                {
                    var name = node.Output[i];
                    if (name.Length == 0) continue;
                    var parts = results.Select(r => r[i]).ToArray();
                    // A layer with a batch axis is seen whole; shape values and the like stay per image.
                    if (!parts.All(p => p.dim() > 0 && p.shape[0] == 1))
                    {
                        perImage[name] = parts;
                        continue;
                    }
                    var whole = Tap(name, cat(parts, 0));
                    seen?.Invoke(name, whole);
                    perImage[name] = whole.split(1);
                }
            }
            current = perImage.TryGetValue(stage.Output, out var output) ? output : throw new InvalidDataException($"no node produces the graph output '{stage.Output}'");
        }
        return _stages[^1].Outputs.Append(_stages[^1].Output).Distinct().Where(perImage.ContainsKey)
            .ToDictionary(o => o, o => cat(perImage[o], 0), StringComparer.Ordinal);
    }

    // The initializers by their ONNX names, read from the registered parameters and buffers on every run: moving the
    // model to another device or dtype replaces those tensors.
    private Dictionary<string, Tensor> Initializers()
    {
        var registered = named_parameters().Select(p => (p.name, (Tensor)p.parameter)).Concat(named_buffers()).ToDictionary(p => p.Item1, p => p.Item2, StringComparer.Ordinal);
        return _initializerNames.ToDictionary(kv => kv.Key, kv => registered[kv.Value], StringComparer.Ordinal);
    }

    private static Tensor? Read(NodeProto node, string name, Dictionary<string, Tensor> values) => name.Length == 0 ? null
        : values.TryGetValue(name, out var v) ? v : throw new InvalidDataException($"ONNX node {node.OpType} '{node.Name}' reads '{name}', which no earlier node or initializer produces");

    /// <summary>Passes a node output through its layer, and through its attention probe when it is a block's attention.</summary>
    private Tensor Tap(string name, Tensor output)
    {
        var value = _taps[name].call(output);
        if (!_attentionViews.TryGetValue(name, out var attention)) return value;
        // The graph goes on through the probe's view, so attention gradients reach it.
        var (view, probe) = attention;
        var perImage = view.call(value.reshape(-1, probe.Merged ? probe.Heads : value.shape[1], probe.Tokens, probe.Tokens));
        return perImage.reshape(value.shape);
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
