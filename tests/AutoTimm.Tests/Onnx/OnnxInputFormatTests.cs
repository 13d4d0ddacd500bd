using AutoTimm.Models;
using AutoTimm.Models.Onnx;
using AutoTimm.Tests.Fixtures;
using Google.Protobuf;
using Onnx;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace AutoTimm.Tests.Onnx;

/// <summary>
/// The input descriptions ONNX does not carry. The bundled classifier's export is rewrapped as a graph that takes
/// NHWC, BGR or raw 0..255 pixels, or behind a preprocessing graph; described accordingly, each must score the same
/// pixels exactly as the original does.
/// </summary>
public sealed class OnnxInputFormatTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("autotimm-onnx-format-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static readonly OnnxModelOptions Original = OnnxModelOptions.From(ImageClassifier.LoadFromCheckpoint(BundledModels.CnnPath).Config.Preprocess);

    private static ModelProto Export() => ModelProto.Parser.ParseFrom(File.ReadAllBytes(FixturePaths.Onnx("fashion_cnn_opset17.onnx")));

    private static NodeProto Node(string op, string[] inputs, string output, params (string Name, long[] Ints)[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = $"wrap_{op}" };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        foreach (var (name, ints) in attributes)
        {
            var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
            attribute.Ints.AddRange(ints);
            node.Attribute.Add(attribute);
        }
        return node;
    }

    private static ValueInfoProto ImageInput(string name, params long[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1, Shape = shape } } };
    }

    /// <summary>The export with nodes before it that turn <paramref name="input"/> into the original input.</summary>
    private string Wrapped(string file, ValueInfoProto input, params NodeProto[] before)
    {
        var model = Export();
        var graph = model.Graph;
        var original = graph.Input.Single(i => i.Name == "input");
        graph.Input.Remove(original);
        graph.Input.Insert(0, input);
        for (int i = before.Length - 1; i >= 0; i--) graph.Node.Insert(0, before[i]);
        return Save(file, model);
    }

    private string Save(string file, ModelProto model)
    {
        var path = Path.Combine(_folder, file);
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }

    /// <summary>Logits for pixels in [0, 1], normalized the way <paramref name="model"/>'s configuration says.</summary>
    private static Tensor Score(OnnxModel model, Tensor pixels)
    {
        var p = model.Config.Preprocess;
        using var mean = tensor(p.Mean).reshape(1, 3, 1, 1);
        using var std = tensor(p.Std).reshape(1, 3, 1, 1);
        model.eval();
        using var _ = no_grad();
        return model.call((pixels - mean) / std);
    }

    private static Tensor Pixels()
    {
        using var generator = new TorchSharp.torch.Generator(5);
        return rand([2, 3, 64, 64], generator: generator);
    }

    private static void AssertSameScores(OnnxModel expected, OnnxModel actual)
    {
        using var pixels = Pixels();
        using var a = Score(expected, pixels);
        using var b = Score(actual, pixels);
        double scale = a.abs().max().item<float>(), worst = (a - b).abs().max().item<float>();
        // The two normalizations differ only by float rounding of an input of order 1.
        Assert.True(worst <= 1e-4 * scale + 1e-6, $"max|d| {worst} against max|ref| {scale}");
    }

    private static Tensor Constant(float[] values, long[] shape) => tensor(values).reshape(shape);

    private static TensorProto Initializer(string name, float[] values, params long[] shape) => OnnxTensors.ToProto(name, Constant(values, shape));

    [Fact]
    public void An_nhwc_bgr_graph_on_raw_pixels_scores_the_image_like_the_original()
    {
        // x_nhwc (BGR, 0..255) -> Transpose -> Gather channels [2, 1, 0] -> Div 255 -> (x - m) / s -> the export.
        var path = Wrapped("nhwc_bgr.onnx", ImageInput("x_nhwc", 1, 64, 64, 3),
            Node("Transpose", ["x_nhwc"], "nchw_bgr", ("perm", [0, 3, 1, 2])),
            Node("Gather", ["nchw_bgr", "to_rgb"], "nchw_rgb"),
            Node("Div", ["nchw_rgb", "full_scale"], "unit"),
            Node("Sub", ["unit", "mean"], "centred"),
            Node("Div", ["centred", "std"], "input"));
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        model.Graph.Node[1].Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
        model.Graph.Initializer.Add(OnnxTensors.ToProto("to_rgb", tensor(new long[] { 2, 1, 0 })));
        model.Graph.Initializer.Add(Initializer("full_scale", [255f], 1));
        model.Graph.Initializer.Add(Initializer("mean", Original.Mean, 1, 3, 1, 1));
        model.Graph.Initializer.Add(Initializer("std", Original.Std, 1, 3, 1, 1));
        Save("nhwc_bgr.onnx", model);

        using var original = OnnxModel.Load(FixturePaths.Onnx("fashion_cnn_opset17.onnx"), Original);
        // Layout and size are read from the declared input [1, 64, 64, 3]; the graph normalizes by itself.
        using var wrapped = OnnxModel.Load(path, new OnnxModelOptions { ChannelOrder = OnnxChannelOrder.Bgr, Range = [0, 255], Mean = [0, 0, 0], Std = [1, 1, 1] });
        Assert.Equal(OnnxLayout.Nhwc, wrapped.Layout);
        Assert.Equal((64, 64), (wrapped.Config.Preprocess.Height, wrapped.Config.Preprocess.Width));
        AssertSameScores(original, wrapped);
    }

    [Fact]
    public void Mean_and_std_in_the_graphs_channel_order_and_range_match_the_original_normalization()
    {
        // A BGR graph whose own first node swaps channels back; mean and std given in BGR order and 0..255 units.
        var path = Wrapped("bgr.onnx", ImageInput("x_bgr", 1, 3, 64, 64), Node("Gather", ["x_bgr", "to_rgb"], "input"));
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        model.Graph.Node[0].Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
        model.Graph.Initializer.Add(OnnxTensors.ToProto("to_rgb", tensor(new long[] { 2, 1, 0 })));
        Save("bgr.onnx", model);
        float[] Bgr255(float[] rgb) => [rgb[2] * 255, rgb[1] * 255, rgb[0] * 255];
        var options = new OnnxModelOptions { ChannelOrder = OnnxChannelOrder.Bgr, Range = [0, 255], Mean = Bgr255(Original.Mean), Std = Bgr255(Original.Std) };
        using var original = OnnxModel.Load(FixturePaths.Onnx("fashion_cnn_opset17.onnx"), Original);
        using var wrapped = OnnxModel.Load(path, options);
        Assert.Equal(OnnxLayout.Nchw, wrapped.Layout);
        AssertSameScores(original, wrapped);
    }

    [Fact]
    public void A_preprocessing_graph_runs_first_and_its_layers_are_prefixed()
    {
        // Like ML.NET's featurizers: raw 0..255 pixels, and a graph beside the model that normalizes them.
        var pre = new ModelProto { IrVersion = 8, Graph = new GraphProto { Name = "pre" } };
        pre.OpsetImport.Add(new OperatorSetIdProto { Version = 13 });
        pre.Graph.Input.Add(ImageInput("raw", 1, 3, 64, 64));
        pre.Graph.Output.Add(new ValueInfoProto { Name = "input" }); // the same name as the model's input: prefixing keeps them apart
        pre.Graph.Node.Add(Node("Sub", ["raw", "mean"], "centred"));
        pre.Graph.Node.Add(Node("Div", ["centred", "std"], "input"));
        pre.Graph.Initializer.Add(Initializer("mean", Original.Mean.Select(m => m * 255).ToArray(), 1, 3, 1, 1));
        pre.Graph.Initializer.Add(Initializer("std", Original.Std.Select(s => s * 255).ToArray(), 1, 3, 1, 1));
        var prePath = Save("pre.onnx", pre);
        File.Copy(FixturePaths.Onnx("fashion_cnn_opset17.onnx"), Path.Combine(_folder, "model.onnx"));
        File.WriteAllText(Path.Combine(_folder, "model.onnx.json"), """{ "range": [0, 255], "mean": [0, 0, 0], "std": [1, 1, 1], "preprocessGraph": "pre.onnx" }""");

        using var original = OnnxModel.Load(FixturePaths.Onnx("fashion_cnn_opset17.onnx"), Original);
        using var piped = OnnxModel.Load(Path.Combine(_folder, "model.onnx")); // finds model.onnx.json
        Assert.Equal(["preprocess/centred", "preprocess/input"], piped.LayerNames.Take(2));
        Assert.Equal("/layer4/layer4.0/relu_1/Relu_output_0", piped.DefaultTargetLayer);
        Assert.Equal(10, piped.NumClasses);
        Assert.True(File.Exists(prePath));
        AssertSameScores(original, piped);
    }

    [Fact]
    public void An_embedding_output_is_flattened_into_one_score_per_feature()
    {
        var model = Export();
        // Expose the globally pooled features [N, C, 1, 1] as a second output and score it.
        var pooled = model.Graph.Node.Single(n => n.OpType == "GlobalAveragePool").Output[0];
        model.Graph.Output.Add(new ValueInfoProto { Name = pooled });
        var path = Save("embedding.onnx", model);
        using var embedding = OnnxModel.Load(path, Original with { Output = pooled });
        using var pixels = Pixels();
        using var scores = Score(embedding, pixels);
        long channels = embedding.ShapeOf(pooled)[1];
        Assert.Equal(new long[] { 2, channels }, scores.shape);
        Assert.Equal((int)channels, embedding.NumClasses);
        var missing = Assert.Throws<ArgumentException>(() => OnnxModel.Load(path, Original with { Output = "nope" }));
        Assert.Contains("ONNX graph 'embedding' has no output 'nope' (outputs: logits, ", missing.Message);
    }

    public static TheoryData<string, string> BadSidecars => new()
    {
        { """{ "layout": "NCWH" }""", "\"layout\" must be one of Nchw, Nhwc" },
        { """{ "range": [255, 0] }""", "range [255, 0] must be two finite numbers, the first smaller" },
        { """{ "mean": [1, 2] }""", "\"mean\" must be 3 numbers" },
        { """{ "std": [1, 0, 1] }""", "std [1, 0, 1] must be three positive numbers" },
        { """{ "inputSize": [64.5] }""", "\"inputSize\" must hold whole pixels" },
        { """{ "classNames": "labels.txt" }""", "labels.txt, which does not exist" },
        { """{ "colour": "RGB" }""", "\"colour\" is not a sidecar key" },
        { """[1, 2]""", "the top level must be an object" },
        { """{ "mean": """, "not valid JSON" },
    };

    [Theory]
    [MemberData(nameof(BadSidecars))]
    public void A_bad_sidecar_names_the_file_and_the_key(string json, string message)
    {
        var path = Path.Combine(_folder, "model.onnx.json");
        File.WriteAllText(path, json);
        var error = Assert.Throws<InvalidDataException>(() => OnnxSidecar.Read(path));
        Assert.StartsWith(path, error.Message);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void A_sidecar_reads_every_key()
    {
        File.WriteAllLines(Path.Combine(_folder, "labels.txt"), ["zero", "one", " ", "two"]);
        var path = Path.Combine(_folder, "m.onnx.json");
        File.WriteAllText(path, """
            { "inputSize": [48, 320], "layout": "nhwc", "channelOrder": "BGR", "range": [-1, 1], "mean": [0.5, 0.25, 0],
              "std": [2, 2, 4], "classNames": "labels.txt", "output": "probs", "preprocessGraph": "pre.onnx",
              "interpolation": "bicubic", "crop": 0.875, "task": "semanticsegmentor" }
            """);
        var options = OnnxSidecar.Read(path);
        Assert.Equal((48, 320), (options.Height, options.Width));
        Assert.Equal(OnnxLayout.Nhwc, options.Layout);
        Assert.Equal(OnnxChannelOrder.Bgr, options.ChannelOrder);
        Assert.Equal(["zero", "one", "two"], options.ClassNames!);
        Assert.Equal(Path.Combine(_folder, "pre.onnx"), options.PreprocessGraph);
        Assert.Equal(0.875f, options.CropPct);
        Assert.Equal(ModelTask.SemanticSegmentor, options.Task);
        // In RGB [0, 1] space: m' = (m - lo) / (hi - lo), s' = s / (hi - lo), channels reversed.
        var library = options.ToPreprocess(48, 320);
        Assert.Equal(new[] { 0.5f, 0.625f, 0.75f }, library.Mean);
        Assert.Equal(new[] { 2f, 1f, 1f }, library.Std);
    }
}
