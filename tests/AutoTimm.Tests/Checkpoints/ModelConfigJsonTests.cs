using System.Text.Json;
using AutoTimm.Imaging;
using AutoTimm.Models;
using AutoTimm.Models.Checkpoints;

namespace AutoTimm.Tests.Checkpoints;

public sealed class ModelConfigJsonTests
{
    private static readonly ModelConfig Config = new()
    {
        Task = ModelTask.ImageClassifier,
        Arch = "resnet18",
        NumClasses = 3,
        Preprocess = new PreprocessConfig { Height = 160, Width = 128, Mean = [0.5f, 0.25f, 0.125f], Std = [0.2f, 0.3f, 0.4f], Interpolation = ResizeInterpolation.Bicubic, CropPct = 0.9f },
        ClassNames = ["cat", "dog", "bird"],
    };

    [Fact]
    public void Should_write_the_documented_snake_case_keys_in_order()
    {
        using var json = JsonDocument.Parse(ModelConfigJson.ToJson(Config));
        var root = json.RootElement;

        Assert.Equal(["task", "arch", "num_classes", "input_size", "mean", "std", "interpolation", "crop_pct", "class_names", "format_version"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("ImageClassifier", root.GetProperty("task").GetString());
        Assert.Equal([3, 160, 128], root.GetProperty("input_size").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal("bicubic", root.GetProperty("interpolation").GetString());
        Assert.Equal("0.9", root.GetProperty("crop_pct").GetRawText());
        Assert.Equal("[0.5,0.25,0.125]", root.GetProperty("mean").GetRawText());
        Assert.Equal(1, root.GetProperty("format_version").GetInt32());
    }

    [Fact]
    public void Should_round_trip_every_field()
    {
        var back = ModelConfigJson.FromJson(ModelConfigJson.ToJson(Config));

        Assert.Equal(Config.Task, back.Task);
        Assert.Equal(Config.Arch, back.Arch);
        Assert.Equal(Config.NumClasses, back.NumClasses);
        Assert.Equal(Config.ClassNames, back.ClassNames);
        Assert.Equal(Config.Preprocess.Height, back.Preprocess.Height);
        Assert.Equal(Config.Preprocess.Width, back.Preprocess.Width);
        Assert.Equal(Config.Preprocess.Mean, back.Preprocess.Mean);
        Assert.Equal(Config.Preprocess.Std, back.Preprocess.Std);
        Assert.Equal(Config.Preprocess.Interpolation, back.Preprocess.Interpolation);
        Assert.Equal(Config.Preprocess.CropPct, back.Preprocess.CropPct);
    }

    [Fact]
    public void Should_default_optional_keys_and_accept_python_style_values()
    {
        var config = ModelConfigJson.FromJson("""{"arch": "vit_tiny_patch16_224", "num_classes": 10, "task": "semantic_segmentor", "class_names": null, "extra": {"ignored": true}}""");

        Assert.Equal(ModelTask.SemanticSegmentor, config.Task);
        Assert.Null(config.ClassNames);
        Assert.Equal(PreprocessConfig.ImageNet.Mean, config.Preprocess.Mean);
        Assert.Equal(224, config.Preprocess.Height);
        Assert.Equal(0.875f, config.Preprocess.CropPct);
    }

    [Theory]
    [InlineData("""{"num_classes": 10}""", "'arch' is missing")]
    [InlineData("""{"arch": "x"}""", "'num_classes' is missing")]
    [InlineData("""{"arch": "x", "num_classes": 0}""", "'num_classes' is 0")]
    [InlineData("""{"arch": "x", "num_classes": 2, "input_size": [1, 224, 224]}""", "'input_size' must be [3, H, W]")]
    [InlineData("""{"arch": "x", "num_classes": 2, "input_size": [3, 20000, 20000]}""", "'input_size' 20000x20000 is over the 16,777,216-pixel limit")]
    [InlineData("""{"arch": "x", "num_classes": 2, "std": [1, 0, 1]}""", "'std' must hold 3 finite positive numbers")]
    [InlineData("""{"arch": "x", "num_classes": 2, "class_names": ["a"]}""", "'class_names' has 1 names for 2 classes")]
    [InlineData("""{"arch": "x", "num_classes": 2, "interpolation": "lanczos"}""", "'interpolation' must be one of")]
    [InlineData("""{"arch": "x", "num_classes": 2, "task": "Regressor"}""", "'task' must be one of ImageClassifier")]
    [InlineData("""{"arch": "x", "num_classes": 2, "format_version": 2}""", "format_version 2 is not supported")]
    [InlineData("""[1]""", "not a JSON object")]
    [InlineData("""{"arch": """, "not valid JSON")]
    public void Should_refuse_invalid_metadata_naming_the_key(string json, string message)
    {
        var error = Assert.Throws<CheckpointFormatException>(() => ModelConfigJson.FromJson(json));

        Assert.Contains(message, error.Message);
    }
}
