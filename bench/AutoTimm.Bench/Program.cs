// Performance harness: every figure is a ratio of two timings taken in the same run, so machine speed and load
// cancel out. Prints one JSON object. Usage: dotnet run -c Release --project bench/AutoTimm.Bench [-- --threads N --repeats R]
using System.Diagnostics;
using System.Text.Json;
using AutoTimm.Interpretation.Methods;
using AutoTimm.Models;
using TorchSharp;
using static TorchSharp.torch;

int threads = ArgValue("--threads", 2), repeats = ArgValue("--repeats", 5);
// libtorch aborts the process on a thread count below 1 instead of raising an error.
if (threads is < 1 or > 1024 || repeats < 1)
{
    Console.Error.WriteLine($"--threads {threads} must be 1..1024 and --repeats {repeats} at least 1");
    Environment.ExitCode = 2;
    return;
}
set_num_threads(threads);
manual_seed(0);
if (args.Contains("--training-step-only"))
{
    // Child mode: one number, the median training step, measured in a process of its own.
    Console.WriteLine(TrainingStepMs().ToString(System.Globalization.CultureInfo.InvariantCulture));
    return;
}
if (args.Contains("--peers"))
{
    // The performance table: ours against PyTorch, pytorch-grad-cam and Captum, and against ourselves; exit 1 on a miss.
    var root = RepositoryRoot();
    var python = Environment.GetEnvironmentVariable("AUTOTIMM_BENCH_PYTHON") ?? "/usr/bin/python3";
    var (table, missed) = PeerComparison.Run(threads, repeats, root, python);
    table["threads"] = threads;
    table["repeats"] = repeats;
    table["timing"] = "per row: ours and the reference alternately, warmed up until each side's last three runs agree within 10% and the peak RSS grew at most 0.5% over three pairs (at least 5 pairs), then timed alternately, at least `repeats` pairs and up to 4 s of runs a side (at most 3x repeats), then on, ten pairs at a time, until the ratio's 95% bootstrap interval (pairs resampled whole) is within 1% of it or the row was timed for 60 s; times are medians of wall time in milliseconds, a row's ratio the ratio of the two sides' medians with its interval (the median of the pairs' own ratios beside it)";
    table["machine"] = $"{Environment.ProcessorCount} logical CPUs, {AutoTimm.Native.TorchRuntime.OneDnn}";
    table["missed"] = missed;
    Console.WriteLine(JsonSerializer.Serialize(table, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower }));
    Environment.Exit(missed.Count == 0 ? 0 : 1);
}
if (args.Contains("--task-localization"))
{
    // Localization of detection and segmentation explanations on the bundled models (slow: minutes).
    var localization = TaskExplanations.Localization(BundledModels.DetectorPath, BundledModels.SegmenterPath, ArgValue("--canvases", 200));
    Console.WriteLine(JsonSerializer.Serialize(localization, new JsonSerializerOptions { WriteIndented = true }));
    return;
}
if (args.Contains("--memory-growth"))
{
    // Resident memory over many explanations in one process (reliability: RSS must stay flat).
    // The sample canvas is in the repository (the bundled model is also copied beside the binaries).
    var growth = MemoryGrowth.Measure(BundledModels.CnnPath, Path.Combine(RepositoryRoot(), "assets", "samples", "canvases", "canvas_test_00000.png"),
        ArgValue("--explanations", 5000));
    Console.WriteLine(JsonSerializer.Serialize(growth, new JsonSerializerOptions { WriteIndented = true }));
    return;
}
if (args.Contains("--metric-cost"))
{
    // Explanation-quality metrics on the bundled CNN, relative to one forward.
    var cost = MetricCost.Measure(BundledModels.CnnPath, Path.Combine(Path.GetDirectoryName(BundledModels.CnnPath)!, "..", "samples", "canvases", "canvas_test_00000.png"), Median, InferenceForward);
    Console.WriteLine(JsonSerializer.Serialize(cost, new JsonSerializerOptions { WriteIndented = true }));
    return;
}
if (args.Contains("--onnx-exports"))
{
    // ONNX graphs (tools/onnx/export_torchvision.py DIR, tools/onnx/fetch_models.sh DIR): errors against ONNX Runtime
    // (and PyTorch, for the exports), Grad-CAM cost. Graphs without a saved input are fed a photo.
    var folder = args[Array.IndexOf(args, "--onnx-exports") + 1];
    var photo = args.Contains("--photo") ? args[Array.IndexOf(args, "--photo") + 1] : Path.Combine(RepositoryRoot(), "assets", "samples", "photos", "astronaut.png");
    Console.WriteLine(JsonSerializer.Serialize(OnnxExports.Check(folder, photo, threads, Median), new JsonSerializerOptions { WriteIndented = true }));
    return;
}
if (args.Contains("--box-cost-only"))
{
    // Only the detection K-box section (the bundled detector), for a quick run.
    using var bundled = ObjectDetector.LoadFromCheckpoint(BundledModels.DetectorPath);
    Console.WriteLine(JsonSerializer.Serialize(TaskExplanations.BoxCost(bundled, Median), new JsonSerializerOptions { WriteIndented = true }));
    return;
}
var results = new Dictionary<string, object>
{
    ["threads"] = threads,
    ["repeats"] = repeats,
    ["timing"] = "median wall time of repeats after one warm-up, milliseconds",
};

using (var resnet = ModelZoo.Create("resnet18", 1000))
{
    resnet.eval();
    using var x1 = randn(1, 3, 224, 224);
    using var x8 = randn(8, 3, 224, 224);
    // The forward's intermediate tensors are freed in a dispose scope, as the library's own paths do; leaving them
    // to the finalizer (call(x).Dispose() alone) made this forward ~2x slower and every ratio against it too kind.
    double forward = Median(() => InferenceForward(resnet, x1));
    using var cam = new GradCam(resnet);
    double gradcam = Median(() => cam.Explain(x1, 1));
    double fullBackward = Median(() => FullBackwardCam(resnet, x1));
    double loop8 = Median(() => { for (int i = 0; i < 8; i++) cam.Explain(x8[i], 1); });
    double batch8 = Median(() => cam.ExplainBatch(x8, Enumerable.Repeat(1, 8).ToArray(), batchSize: 8));
    var photo = AutoTimm.Imaging.RgbImage.Create(1024, 768, (x, y) => new AutoTimm.Imaging.Rgb((byte)(x * 7), (byte)(y * 3), (byte)(x ^ y)));
    var preprocessor = new AutoTimm.Imaging.Preprocessor(AutoTimm.Imaging.PreprocessConfig.ImageNet);
    double preprocess = Median(() => preprocessor.Apply(photo).Dispose());
    results["resnet18_224"] = new
    {
        preprocess_1024x768_ms = preprocess,
        preprocess_over_forward = preprocess / forward,
        forward_ms = forward,
        gradcam_ms = gradcam,
        gradcam_over_forward = gradcam / forward,
        full_backward_cam_ms = fullBackward,
        partial_over_full_backward = gradcam / fullBackward,
        loop8_ms = loop8,
        batch8_ms = batch8,
        batch_speedup = loop8 / batch8,
    };
}

using (var vit = ModelZoo.Create("vit_pico_patch8_64", 10))
{
    vit.eval();
    using var x = randn(1, 3, 64, 64);
    double forward = Median(() => InferenceForward(vit, x));
    double rollout = Median(() => new AttentionRollout(vit).Explain(x));
    double flow = Median(() => new AttentionFlow(vit).Explain(x));
    double ig = Median(() => new IntegratedGradients(vit, IgBaseline.Zeros, 50, internalBatchSize: 50).Explain(x, 0));
    double igUnbatched = Median(() => new IntegratedGradients(vit, IgBaseline.Zeros, 50, internalBatchSize: 1).Explain(x, 0));
    results["vit_pico_64"] = new
    {
        forward_ms = forward,
        rollout_over_forward = rollout / forward,
        flow_over_forward = flow / forward,
        ig50_over_forward = ig / forward,
        ig_internal_batch_speedup = igUnbatched / ig,
    };
}

{
    // libtorch frees every activation after use; the allocator tuning (AutoTimm.Native.CpuAllocatorTuning) keeps
    // those buffers mapped. oneDNN runs at the ISA its probe measured right on this host (AutoTimm.Native.OneDnnIsa):
    // the step is timed as decided, capped at AVX and uncapped. Each side runs in a fresh process, since these
    // settings apply before libtorch loads.
    double decided = TrainingStepInChild(defaultAllocator: false, isa: null);
    double asShipped = TrainingStepInChild(defaultAllocator: true, isa: null);
    double capped = TrainingStepInChild(defaultAllocator: false, isa: "AVX");
    double uncapped = TrainingStepInChild(defaultAllocator: false, isa: "native");
    results["resnet10_tiny_training_step_b128_64px"] = new
    {
        onednn_decision = AutoTimm.Native.TorchRuntime.OneDnn.ToString(),
        decided_ms = decided,
        default_allocator_ms = asShipped,
        allocator_speedup = asShipped / decided,
        avx_capped_ms = capped,
        native_isa_ms = uncapped,
        avx_cap_slowdown = capped / uncapped,
        decision_slowdown = decided / uncapped,
    };
}

using (var detector = File.Exists(BundledModelsPath(BundledModels.DetectorFileName))
    ? ObjectDetector.LoadFromCheckpoint(BundledModels.DetectorPath)
    : (ObjectDetector)ModelZoo.CreateModel(ModelZoo.ConfigFor("fcos_resnet10_tiny_fpn", 10)))
{
    results["fcos_resnet10_tiny_96_boxes"] = TaskExplanations.BoxCost(detector, Median);
}

Console.WriteLine(JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true }));

static string RepositoryRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "bench", "peers", "peer_server.py"))) return dir.FullName;
    throw new DirectoryNotFoundException($"no repository with bench/peers/peer_server.py above {AppContext.BaseDirectory}");
}

static string BundledModelsPath(string file)
{
    try { return BundledModels.Find(file); }
    catch (FileNotFoundException) { return ""; }
}

static void InferenceForward(VisionModel model, Tensor input)
{
    using var scope = NewDisposeScope();
    using var _ = no_grad();
    model.call(input);
}

// Grad-CAM the way libraries without partial gradients do it: retain the activation's grad, full backward
// (parameter gradients included), then the same weighting.
static void FullBackwardCam(ImageClassifier model, Tensor input)
{
    using var scope = NewDisposeScope();
    Tensor? activation = null;
    var layer = (nn.Module<Tensor, Tensor>)ModuleLookup.Resolve(model, "layer4");
    var hook = layer.register_forward_hook((_, _, o) => { o.retain_grad(); activation = o; return o; });
    try
    {
        model.zero_grad();
        var logits = model.call(input.detach().requires_grad_(true));
        logits[0, 1].backward();
        var weights = activation!.grad!.mean([2, 3], keepdim: true);
        nn.functional.relu((weights * activation).sum([1L])).Dispose();
    }
    finally
    {
        hook.remove();
        model.zero_grad();
    }
}

double TrainingStepMs()
{
    using var model = ModelZoo.Create("resnet10_tiny", 10);
    model.train();
    using var optimizer = optim.AdamW(model.parameters(), 1e-3);
    using var x = randn(128, 3, 64, 64);
    using var y = randint(0, 10, [128]);
    return Median(() =>
    {
        using var scope = NewDisposeScope();
        optimizer.zero_grad();
        nn.functional.cross_entropy(model.call(x), y).backward();
        optimizer.step();
    });
}

double TrainingStepInChild(bool defaultAllocator, string? isa)
{
    var self = Environment.ProcessPath!;
    var start = new ProcessStartInfo(self) { RedirectStandardOutput = true, UseShellExecute = false };
    if (Path.GetFileNameWithoutExtension(self) == "dotnet") start.ArgumentList.Add(System.Reflection.Assembly.GetEntryAssembly()!.Location);
    foreach (var a in new[] { "--training-step-only", "--threads", threads.ToString(System.Globalization.CultureInfo.InvariantCulture), "--repeats", repeats.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        start.ArgumentList.Add(a);
    if (defaultAllocator) start.Environment["AUTOTIMM_CPU_ALLOCATOR"] = "default";
    if (isa == "native") start.Environment["AUTOTIMM_ONEDNN_ISA"] = "native";
    else if (isa is not null) start.Environment["ONEDNN_MAX_CPU_ISA"] = isa;
    using var child = Process.Start(start)!;
    var output = child.StandardOutput.ReadToEnd();
    child.WaitForExit();
    if (child.ExitCode != 0) throw new InvalidOperationException($"the training-step child exited with {child.ExitCode}");
    return double.Parse(output.Trim().Split('\n')[^1], System.Globalization.CultureInfo.InvariantCulture);
}

double Median(Action action)
{
    action();
    var times = new double[repeats];
    for (int i = 0; i < repeats; i++)
    {
        var clock = Stopwatch.StartNew();
        action();
        times[i] = clock.Elapsed.TotalMilliseconds;
    }
    Array.Sort(times);
    return Math.Round(times[repeats / 2], 2);
}

int ArgValue(string name, int fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture) : fallback;
}
