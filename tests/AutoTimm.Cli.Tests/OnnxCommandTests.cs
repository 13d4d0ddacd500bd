using System.Text;

namespace AutoTimm.Cli.Tests;

/// <summary>ONNX classifiers through the CLI: <c>--checkpoint model.onnx</c> with the input described by flags.</summary>
public sealed class OnnxCommandTests : IDisposable
{
    private const string Names = "T-shirt/top,Trouser,Pullover,Dress,Coat,Sandal,Shirt,Sneaker,Bag,Ankle boot";
    private readonly string _dir = Directory.CreateTempSubdirectory("autotimm-onnx-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Export => CliRunner.Fixture("onnx/fashion_cnn_opset17.onnx");

    private static string Canvas => CliRunner.Sample("canvases/canvas_test_00003.png");

    [Fact]
    public void Should_predict_and_explain_the_export_as_the_bundled_model_does()
    {
        var (nativeCode, native) = CliRunner.Run("predict", "--image", Canvas);
        var (code, onnx) = CliRunner.Run("predict", "--checkpoint", Export, "--input-size", "64", "--class-names", Names, "--image", Canvas);
        Assert.Equal(0, nativeCode);
        Assert.True(code == 0, onnx.ToString());
        Assert.Equal(native.GetProperty("predicted_class").GetInt32(), onnx.GetProperty("predicted_class").GetInt32());
        Assert.Equal(native.GetProperty("label").GetString(), onnx.GetProperty("label").GetString());
        Assert.Equal(native.GetProperty("confidence").GetDouble(), onnx.GetProperty("confidence").GetDouble(), 5);

        var (explained, json) = CliRunner.Run("interpret", "--checkpoint", Export, "--input-size", "64", "--image", Canvas, "--methods", "gradcam",
            "--output-dir", _dir, "--save-raw");
        Assert.True(explained == 0, json.ToString());
        Assert.True(File.Exists(json.GetProperty("results").GetProperty("gradcam").GetString()));
        Assert.Equal("1", json.GetProperty("label").GetString()); // no class names given: labels are indices
    }

    public static TheoryData<string[], string> BadFlags => new()
    {
        { ["--input-size", "64", "--class-names", "a,b"], "2 class names given for ONNX graph 'fashion_cnn_opset17', whose output 'logits' has 10 values per image" },
        { ["--input-size", "64,x"], "--input-size '64,x': give 1 to 2 comma-separated numbers" },
        { ["--input-size", "64", "--std", "1,0,1"], "standard deviations must be positive" },
        { ["--input-size", "64", "--mean", "0.5,0.5"], "--mean '0.5,0.5': give 3 comma-separated numbers" },
        { ["--layout", "nwhc"], "--layout 'nwhc': give one of nchw, nhwc" },
        { ["--channel-order", "grb"], "--channel-order 'grb': give one of rgb, bgr" },
        { ["--range", "255,0"], "--range '255,0': the first value must be smaller" },
        { ["--output-name", "probs"], "ONNX graph 'fashion_cnn_opset17' has no output 'probs' (outputs: logits)" },
        { ["--onnx-config", "missing.json"], "missing.json" },
    };

    [Theory]
    [MemberData(nameof(BadFlags))]
    public void Should_name_a_bad_input_description(string[] flags, string message)
    {
        var (code, json) = CliRunner.Run(["predict", "--checkpoint", Export, "--image", Canvas, .. flags]);
        Assert.Equal(1, code);
        Assert.Contains(message, json.GetProperty("error").GetString());
    }

    [Fact]
    public void Should_refuse_input_flags_for_checkpoints_that_carry_their_own()
    {
        var (code, json) = CliRunner.Run("predict", "--image", Canvas, "--mean", "0,0,0");
        Assert.Equal(1, code);
        Assert.Contains("--mean describes an ONNX model's input", json.GetProperty("error").GetString());
    }

    [Fact]
    public void Should_name_an_operator_the_executor_lacks()
    {
        // The same graph with its Relu renamed to an operator no opset defines (same length: the protobuf stays valid).
        var bytes = File.ReadAllBytes(CliRunner.Fixture("onnx/tiny_cnn.onnx"));
        var text = Encoding.Latin1.GetString(bytes).Replace("Relu", "Ralu", StringComparison.Ordinal);
        var path = Path.Combine(_dir, "ralu.onnx");
        File.WriteAllBytes(path, Encoding.Latin1.GetBytes(text));
        var (code, json) = CliRunner.Run("predict", "--checkpoint", path, "--input-size", "8", "--image", Canvas);
        Assert.Equal(1, code);
        Assert.Contains("Ralu node (output 'relu', opset 13): the operator Ralu is not supported", json.GetProperty("error").GetString());
    }

    [Fact]
    public void Should_explain_an_exported_segmenter_described_by_its_sidecar_and_refuse_onnx_detectors()
    {
        // model.onnx.json beside the copy says what --task-class would: a segmenter, ImageNet-normalized at 96 px.
        var model = Path.Combine(_dir, "deeplab.onnx");
        File.Copy(CliRunner.Fixture("onnx/fashion_deeplabv3_opset17.onnx"), model);
        File.WriteAllText(model + ".json", """{ "task": "SemanticSegmentor", "inputSize": [96, 96] }""");
        var image = CliRunner.Sample("multi/multi_test_00000.png");
        var (code, json) = CliRunner.Run("interpret", "--checkpoint", model, "--image", image, "--methods", "gradcam", "--output-dir", _dir);
        Assert.True(code == 0, json.ToString());
        Assert.Equal("SemanticSegmentor", json.GetProperty("task").GetString());
        var classes = json.GetProperty("classes").EnumerateArray().ToList();
        Assert.NotEmpty(classes);
        Assert.All(classes, c => Assert.True(File.Exists(c.GetProperty("results").GetProperty("gradcam").GetString())));

        var (refused, error) = CliRunner.Run("interpret", "--task-class", "ObjectDetector", "--checkpoint", model, "--image", image, "--output-dir", _dir);
        Assert.Equal(1, refused);
        Assert.Contains("ONNX graphs load as ImageClassifier or SemanticSegmentor", error.GetProperty("error").GetString());
    }
}
