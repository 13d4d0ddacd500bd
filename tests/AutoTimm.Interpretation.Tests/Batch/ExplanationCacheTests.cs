using AutoTimm.Imaging;
using AutoTimm.Interpretation.Batch;
using AutoTimm.Interpretation.Engine;
using AutoTimm.Interpretation.Methods;
using AutoTimm.Models;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Tests.Batch;

public sealed class ExplanationCacheTests : IDisposable
{
    private readonly ImageClassifier _model = ModelZoo.Create("resnet10_tiny", 4, new PreprocessConfig { Height = 32, Width = 32, CropPct = 1f });
    private readonly Tensor _image = randn(3, 32, 32, generator: new Generator(11));
    private readonly Tensor _other = randn(3, 32, 32, generator: new Generator(12));
    private readonly string _dir = Directory.CreateTempSubdirectory("explanation-cache-").FullName;
    private int _forwards;

    public ExplanationCacheTests() => _model.register_forward_hook((_, _, output) => { _forwards++; return output; });

    public void Dispose()
    {
        _model.Dispose();
        _image.Dispose();
        _other.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private ExplanationResult Explain(ExplanationCache cache, Tensor image, string method = "gradcam", int? target = null, ExplanationOptions? options = null) =>
        AutoTimm.Interpretation.Explain.Prediction(_model, ImageInput.FromTensor(image), method, target, options: options, cache: cache);

    [Fact]
    public void Should_answer_an_identical_request_without_running_the_model()
    {
        var cache = new ExplanationCache();
        var first = Explain(cache, _image).Heatmap!;
        Assert.Equal(1, _forwards);
        var again = Explain(cache, _image).Heatmap!;
        Assert.Equal(1, _forwards);
        Assert.Equal(first.Raw, again.Raw);
        Assert.Same(first.Prediction, again.Prediction);
        Assert.Equal((1L, 1L, 1), (cache.Statistics.Hits, cache.Statistics.Misses, cache.Statistics.Entries));

        // The caller owns what it gets: changing it does not change the next answer.
        again.Raw[0] = float.NaN;
        again.Values[0] = float.NaN;
        var third = Explain(cache, _image).Heatmap!;
        Assert.Equal(first.Raw, third.Raw);
        Assert.Equal(first.Values, third.Values);
    }

    [Fact]
    public void Should_compute_again_when_the_image_the_target_the_method_or_its_options_differ()
    {
        var cache = new ExplanationCache();
        Explain(cache, _image);
        Explain(cache, _other);
        Explain(cache, _image, target: 3);
        Explain(cache, _image, method: "gradcampp");
        Explain(cache, _image, method: "integrated_gradients", options: ExplanationOptions.Default.With(new IntegratedGradientsOptions { Steps = 4 }));
        Explain(cache, _image, method: "integrated_gradients", options: ExplanationOptions.Default.With(new IntegratedGradientsOptions { Steps = 5 }));
        Assert.Equal((0L, 6L), (cache.Statistics.Hits, cache.Statistics.Misses));
    }

    [Fact]
    public void Should_not_reuse_results_of_weights_that_changed()
    {
        var cache = new ExplanationCache();
        var before = Explain(cache, _image, target: 1).Heatmap!;
        Assert.Equal(1, _forwards);
        var bias = _model.parameters().Last();
        using var saved = bias.detach().clone();
        using (no_grad()) bias.add_(1.0);
        _model.MarkWeightsChanged();
        var after = Explain(cache, _image, target: 1).Heatmap!;
        Assert.Equal(2, _forwards);
        Assert.NotEqual(before.Prediction, after.Prediction);

        // Weights restored to the same values hash the same: the first result is valid again.
        using (no_grad()) bias.copy_(saved);
        _model.MarkWeightsChanged();
        Assert.Equal(before.Raw, Explain(cache, _image, target: 1).Heatmap!.Raw);
        Assert.Equal(2, _forwards);
    }

    [Fact]
    public void Should_drop_the_least_recently_used_results_beyond_its_byte_bound()
    {
        // One 32x32 result is 2 x 4 KiB of maps plus bookkeeping: room for two.
        var cache = new ExplanationCache(maxBytes: 2 * (8192 + 256));
        Explain(cache, _image);
        Explain(cache, _other);
        Explain(cache, _image);
        Explain(cache, _image, target: 2);
        Assert.Equal((2, 1L), (cache.Statistics.Entries, cache.Statistics.Evictions));
        Explain(cache, _image);
        Assert.Equal(2L, cache.Statistics.Hits);
        Explain(cache, _other);
        Assert.Equal(3, cache.Statistics.Misses - 1);
    }

    [Fact]
    public void Should_keep_results_on_disk_for_another_process_and_treat_a_damaged_entry_as_a_miss()
    {
        var first = Explain(new ExplanationCache(directory: _dir), _image, method: "integrated_gradients",
            options: ExplanationOptions.Default.With(new IntegratedGradientsOptions { Steps = 4 })).Heatmap!;
        var fresh = new ExplanationCache(directory: _dir);
        int forwards = _forwards;
        var stored = Explain(fresh, _image, method: "integrated_gradients", options: ExplanationOptions.Default.With(new IntegratedGradientsOptions { Steps = 4 })).Heatmap!;
        Assert.Equal(forwards, _forwards);
        Assert.Equal(1L, fresh.Statistics.DiskHits);
        Assert.Equal(first.Raw, stored.Raw);
        Assert.Equal(first.Values, stored.Values);
        Assert.Equal(first.Attributions, stored.Attributions);
        Assert.Equal((first.ConvergenceDelta, first.Layer, first.NativeResolution, first.Method), (stored.ConvergenceDelta, stored.Layer, stored.NativeResolution, stored.Method));
        Assert.Equal(first.Prediction.TopClass, stored.Prediction.TopClass);
        Assert.Equal(((ClassPrediction)first.Prediction).Probabilities, ((ClassPrediction)stored.Prediction).Probabilities);

        var entry = Directory.EnumerateFiles(Path.Combine(_dir, "v1"), "*.heatmap", SearchOption.AllDirectories).Single();
        File.WriteAllBytes(entry, File.ReadAllBytes(entry)[..100]);
        var damaged = new ExplanationCache(directory: _dir);
        Assert.Equal(first.Raw, Explain(damaged, _image, method: "integrated_gradients", options: ExplanationOptions.Default.With(new IntegratedGradientsOptions { Steps = 4 })).Heatmap!.Raw);
        Assert.Equal((0L, 1L), (damaged.Statistics.Hits, damaged.Statistics.Misses));
    }

    [Fact]
    public void Should_treat_a_stored_map_with_a_non_finite_value_as_a_miss()
    {
        var first = Explain(new ExplanationCache(directory: _dir), _image).Heatmap!;
        // A Grad-CAM entry ends with its raw map and then an empty attribution array (a zero count): the map's last value
        // is the four bytes before that count.
        var entry = Directory.EnumerateFiles(Path.Combine(_dir, "v1"), "*.heatmap", SearchOption.AllDirectories).Single();
        var bytes = File.ReadAllBytes(entry);
        Assert.Equal(first.Raw[^1], BitConverter.ToSingle(bytes, bytes.Length - 8));
        BitConverter.TryWriteBytes(bytes.AsSpan(bytes.Length - 8, 4), float.NaN);
        File.WriteAllBytes(entry, bytes);
        var damaged = new ExplanationCache(directory: _dir);
        Assert.Equal(first.Raw, Explain(damaged, _image).Heatmap!.Raw);
        Assert.Equal((0L, 0L, 1L), (damaged.Statistics.Hits, damaged.Statistics.DiskHits, damaged.Statistics.Misses));
    }

    [Fact]
    public void Should_treat_stored_attributions_with_a_non_finite_value_as_a_miss()
    {
        var options = ExplanationOptions.Default.With(new IntegratedGradientsOptions { Steps = 4 });
        var first = Explain(new ExplanationCache(directory: _dir), _image, method: "integrated_gradients", options: options).Heatmap!;
        // An Integrated Gradients entry ends with its attributions: the last value is the file's last four bytes.
        var entry = Directory.EnumerateFiles(Path.Combine(_dir, "v1"), "*.heatmap", SearchOption.AllDirectories).Single();
        var bytes = File.ReadAllBytes(entry);
        Assert.Equal(first.Attributions![^1], BitConverter.ToSingle(bytes, bytes.Length - 4));
        BitConverter.TryWriteBytes(bytes.AsSpan(bytes.Length - 4, 4), float.PositiveInfinity);
        File.WriteAllBytes(entry, bytes);
        var damaged = new ExplanationCache(directory: _dir);
        Assert.Equal(first.Attributions, Explain(damaged, _image, method: "integrated_gradients", options: options).Heatmap!.Attributions);
        Assert.Equal((0L, 0L, 1L), (damaged.Statistics.Hits, damaged.Statistics.DiskHits, damaged.Statistics.Misses));
    }

    [Fact]
    public void Should_serve_compare_methods_and_batches_row_by_row()
    {
        var cache = new ExplanationCache();
        var compared = AutoTimm.Interpretation.Explain.CompareMethods(_model, ImageInput.FromTensor(_image), ["gradcam", "xgradcam"], cache: cache);
        Assert.Equal(1, _forwards);
        AutoTimm.Interpretation.Explain.CompareMethods(_model, ImageInput.FromTensor(_image), ["gradcam", "xgradcam"], cache: cache);
        Assert.Equal(1, _forwards);

        // A batch of three where the middle image is known computes only the other two, and gives what each alone gives.
        using var explainer = MethodRegistry.Create("gradcam", _model);
        explainer.Cache = cache;
        using var batch = stack([_other, _image, _other * 2]);
        var maps = explainer.ExplainBatch(batch, batchSize: 8);
        Assert.Equal(compared.Results["gradcam"].Heatmap!.Raw, maps[1].Raw);
        Assert.Equal(2, _forwards);
        Assert.Equal(3, cache.Statistics.Hits);
    }

    [Fact]
    public void Should_key_a_method_by_the_options_its_factory_read_and_no_others()
    {
        var ig4 = ExplanationOptions.Default.With(new IntegratedGradientsOptions { Steps = 4 });
        var ig5 = ExplanationOptions.Default.With(new IntegratedGradientsOptions { Steps = 5 });
        using var camA = MethodRegistry.Create("gradcam", _model, ig4);
        using var camB = MethodRegistry.Create("gradcam", _model, ig5);
        Assert.Equal(camA.Configuration, camB.Configuration);
        // SmoothGrad reads its own record and, through its base method, the CAM's layer.
        using var smooth = MethodRegistry.Create("smoothgrad", _model, ig4);
        using var smoothOtherLayer = MethodRegistry.Create("smoothgrad", _model, ig4.With(new CamOptions { TargetLayer = "layer3" }));
        Assert.Contains(typeof(CamOptions).FullName!, smooth.Configuration, StringComparison.Ordinal);
        Assert.NotEqual(smooth.Configuration, smoothOtherLayer.Configuration);
        Assert.DoesNotContain(typeof(IntegratedGradientsOptions).FullName!, smooth.Configuration, StringComparison.Ordinal);
    }
}
