using AutoTimm.Interpretation.Engine;
using AutoTimm.Interpretation.Targets;
using AutoTimm.Imaging;
using AutoTimm.Interpretation.Methods;
using AutoTimm.Interpretation.Visualization;
using AutoTimm.Models;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Tests.Api;

public sealed class ExplainTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("autotimm-explain-").FullName;
    private readonly ImageClassifier _model;

    public ExplainTests()
    {
        manual_seed(11);
        _model = ModelZoo.Create("resnet10_tiny", 4, new PreprocessConfig { Height = 32, Width = 32 }, ["a", "b", "c", "d"]);
    }

    public void Dispose()
    {
        _model.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private static ImageInput Image(int seed, string name) =>
        ImageInput.FromImage(RgbImage.Create(40, 30, (x, y) => new Rgb((byte)(x * 6 + seed), (byte)(y * 8), (byte)((x + y + seed) % 256))), name);

    [Fact]
    public void Should_explain_a_prediction_save_the_figure_and_report_the_class()
    {
        var path = Path.Combine(_dir, "explanation.png");
        var result = Explain.Prediction(_model, Image(1, "one"), method: "gradcam", savePath: path);
        Assert.True(File.Exists(path));
        var predicted = _model.Predict(Image(1, "one"));
        var prediction = Assert.IsType<ClassPrediction>(result.Prediction);
        Assert.Equal(predicted.PredictedClass, prediction.PredictedClass);
        Assert.Equal(predicted.Confidence, prediction.Confidence, 5);
        Assert.Equal(new ClassTarget(predicted.PredictedClass), result.Target);
        Assert.Equal(_model.Config.LabelOf(prediction.PredictedClass), result.PredictedLabel);
        Assert.Equal("layer4", result.Layer);
        Assert.NotNull(result.Heatmap);
        Assert.Null(Explain.Prediction(_model, Image(1, "one"), returnHeatmap: false).Heatmap);
    }

    [Fact]
    public void Should_compare_methods_with_maps_equal_to_each_method_alone()
    {
        var image = Image(2, "two");
        var path = Path.Combine(_dir, "comparison.png");
        var comparison = Explain.CompareMethods(_model, image, ["gradcam", "gradcam++", "xgradcam", "integrated_gradients"], targetClass: 2, savePath: path,
            layout: FigureLayout.Grid, options: ExplanationOptions.Default.With(new IntegratedGradientsOptions { Steps = 8 }));
        var results = comparison.Results;
        Assert.Equal(["gradcam", "gradcampp", "xgradcam", "integrated_gradients"], results.Keys);
        Assert.Empty(comparison.Errors);
        Assert.True(File.Exists(path));
        // The shared Grad-CAM/Grad-CAM++ pass gives exactly what each explainer gives on its own.
        var alone = new GradCamPlusPlus(_model).Explain(image, 2);
        Assert.Equal(alone.Raw, results["gradcampp"].Heatmap!.Raw);
        Assert.Equal(new GradCam(_model).Explain(image, 2).Raw, results["gradcam"].Heatmap!.Raw);
        Assert.Equal(new XGradCam(_model).Explain(image, 2).Raw, results["xgradcam"].Heatmap!.Raw);
        Assert.All(results.Values, r => Assert.Equal(new ClassTarget(2), r.Target));
    }

    [Fact]
    public void Should_report_methods_that_do_not_apply_beside_the_results_unless_asked_to_throw()
    {
        var image = Image(3, "three");
        var comparison = Explain.CompareMethods(_model, image, ["gradcam", "attention_rollout"], savePath: Path.Combine(_dir, "partial.png"));
        Assert.Equal(["gradcam"], comparison.Results.Keys);
        Assert.Contains("has no attention layers", comparison.Errors["attention_rollout"]);
        Assert.True(File.Exists(comparison.SavePath));
        var e = Assert.Throws<InvalidOperationException>(() => Explain.CompareMethods(_model, image, ["gradcam", "attention_rollout"], throwOnError: true));
        Assert.Contains("attention_rollout", e.Message);
    }

    [Fact]
    public void Should_visualize_a_batch_into_a_folder_with_unique_names()
    {
        var images = new[] { Image(1, "cat"), Image(2, "cat"), Image(3, "dog") };
        var results = Explain.VisualizeBatch(_model, images, outputDir: Path.Combine(_dir, "batch"), batchSize: 2);
        Assert.Equal(3, results.Count);
        var files = results.Select(r => Path.GetFileName(r.SavePath!)).ToArray();
        Assert.Equal(3, files.Distinct().Count());
        Assert.StartsWith("cat", files[0]);
        Assert.StartsWith("cat_1", files[1]);
        Assert.StartsWith("dog", files[2]);
        Assert.All(results, r => Assert.True(File.Exists(r.SavePath)));
    }

    [Fact]
    public void Should_name_unknown_methods_and_explain_attention_on_a_cnn_as_an_error_entry()
    {
        Assert.Contains("known:", Assert.Throws<ArgumentException>(() => MethodRegistry.Create("gradcam+++", _model)).Message);
        var run = Interpretation.Run(new InterpretationRequest
        {
            Model = _model,
            Image = Image(4, "four"),
            OutputDir = Path.Combine(_dir, "run"),
            Options = ExplanationOptions.Default.With(new IntegratedGradientsOptions { Steps = 4 }).With(new SmoothGradOptions { Samples = 3 }),
            SaveRaw = true,
            Report = true,
        });
        Assert.Equal(["gradcam", "gradcampp", "integrated_gradients", "smoothgrad"], run.Results.Keys);
        Assert.Equal(["attention_rollout", "attention_flow"], run.Errors.Keys);
        Assert.Contains("has no attention layers", run.Errors["attention_flow"]);
        using var raw = Npy.Load(run.Raw!["gradcam"]);
        Assert.Equal(new long[] { 32, 32 }, raw.shape);
        using var attributions = Npy.Load(run.Raw["integrated_gradients_attr"]);
        Assert.Equal(new long[] { 3, 32, 32 }, attributions.shape);
        var html = File.ReadAllText(run.Report!);
        Assert.Contains("data:image/png;base64,", html);
        Assert.Contains("has no attention layers", html);
        Assert.DoesNotContain("http", html.Replace(AutoTimm.Interpretation.Reports.ReportAssets.PlotlyGzipBase64, "").Replace("http-equiv", ""));
        Assert.Equal(["gradcam", "gradcampp", "integrated_gradients", "smoothgrad"], run.Page.Maps.Select(m => m.Method));
        Assert.Equal(4, run.Page.TopClasses.Count);
        Assert.Equal(run.Confidence!.Value, run.Page.TopClasses[0].Probability, 6);
    }
}
