using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using AutoTimm.Diagnostics;
using AutoTimm.Imaging;
using AutoTimm.Interpretation.Engine;
using AutoTimm.Interpretation.Internal;
using AutoTimm.Interpretation.Visualization;
using AutoTimm.Models;
using AutoTimm.Native;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Batch;

/// <summary>
/// Explains many files into a folder (<c>autotimm explain-batch</c>) as a streaming pipeline: worker threads read,
/// decode and preprocess inputs ahead of the model; the calling thread explains them batch by batch, in input order,
/// every method of a batch in one session (so methods on one layer share its forward and gradient); worker threads
/// render the overlays and write the PNG and <c>.npy</c> files behind it. Queues between the stages are bounded, so
/// memory is bounded by the batch size and the number of workers, not by the number of inputs.
/// </summary>
/// <remarks>
/// Each input's outputs are committed together (temporary names, then renames), and only then is its line appended
/// to the manifest. A run killed at any point and started again skips every input its manifest lists as finished
/// and redoes the rest, so a restarted run ends with the same files as an uninterrupted one. Unreadable inputs are
/// listed in the manifest with the reason and skipped.
/// </remarks>
public static class BatchExplainer
{
    /// <summary>Runs the request; see the class remarks.</summary>
    /// <exception cref="ArgumentException">The request is invalid; the message names the field.</exception>
    /// <exception cref="IOException">The output folder or the manifest cannot be written.</exception>
    public static BatchExplainSummary Run(BatchExplainRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        var clock = Stopwatch.StartNew();
        var model = request.Model;
        var methods = (request.Methods ?? ["gradcam"]).Select(m => MethodRegistry.Get(m).Id).Distinct().ToList();
        var figureOptions = Explain.FigureOptionsFor(model, request.Colormap, request.Alpha);
        var profiler = request.Profiler ?? new PerformanceProfiler();
        var shardInputs = request.Inputs.Where(i => request.Shard.Contains(i.Key)).ToList();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var input in shardInputs)
            if (!keys.Add(input.Key)) throw new ArgumentException($"input '{input.Key}' is listed twice", nameof(request));

        Directory.CreateDirectory(request.OutputDir);
        RemoveStagedLeftovers(request.OutputDir, request.Shard.Label);
        using var manifest = BatchManifest.Open(Path.Combine(request.OutputDir, BatchManifest.FileNameFor(request.Shard)));
        var finished = Finished(manifest.Existing, methods, request.OutputDir);
        var pending = shardInputs.Where(i => !finished.Contains(i.Key)).ToList();

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(request.Cancellation);
        var ahead = Math.Max(2 * request.BatchSize, request.BatchSize + 2 * request.Workers);
        var decoded = Channel.CreateBounded<Decoded>(new BoundedChannelOptions(ahead) { SingleReader = true });
        var explained = Channel.CreateBounded<Explained>(new BoundedChannelOptions(ahead) { SingleWriter = true });
        // Decoders take an input only while fewer than `ahead` are decoded and not yet explained: the reorder buffer
        // that restores input order stays bounded even when one input takes long.
        using var window = new SemaphoreSlim(ahead);
        // The model inputs of the images in flight, in buffers the run reuses: a fresh 600 KB array per image outlived
        // a collection or two in the queues and was copied from generation to generation.
        var config = model.Config.Preprocess;
        var buffers = new InputBuffers(3 * config.Height * config.Width, ahead + request.Workers);
        var state = new RunState(request, methods, figureOptions, profiler, manifest, buffers, shardInputs.Count, shardInputs.Count - pending.Count, clock);
        int next = -1;
        var decoders = Enumerable.Range(0, request.Workers).Select(_ => Task.Run(async () =>
        {
            while (true)
            {
                await window.WaitAsync(stop.Token).ConfigureAwait(false);
                int order = Interlocked.Increment(ref next);
                if (order >= pending.Count) return;
                await decoded.Writer.WriteAsync(Decode(order, pending[order], config, buffers, profiler), stop.Token).ConfigureAwait(false);
            }
        })).ToArray();
        var decoding = Task.WhenAll(decoders).ContinueWith(t => decoded.Writer.TryComplete(t.Exception?.GetBaseException() is OperationCanceledException ? null : t.Exception),
            CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        // A write that fails (a full disk, a read-only folder) stops the run: the images after it would fail the same way.
        Exception? writeFailure = null;
        var writers = Enumerable.Range(0, request.Workers).Select(_ => Task.Run(async () =>
        {
            try
            {
                await foreach (var item in explained.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
                    state.Write(item);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref writeFailure, e, null);
                stop.Cancel();
                throw;
            }
        })).ToArray();

        Exception? failure = null;
        try
        {
            ExplainInOrder(state, decoded.Reader, explained.Writer, window, stop.Token);
        }
        catch (Exception e) when (e is OperationCanceledException && request.Cancellation.IsCancellationRequested)
        {
            state.Cancelled = true;
        }
        catch (Exception e)
        {
            failure = e;
        }
        finally
        {
            stop.Cancel();
            explained.Writer.TryComplete();
            try
            {
                Task.WaitAll([.. writers, decoding]);
            }
            catch (AggregateException e) when (failure is null)
            {
                failure = e.InnerExceptions.Count == 1 ? e.InnerExceptions[0] : e;
            }
            catch (AggregateException)
            {
                // The model loop's failure is the one reported.
            }
        }
        // The model loop saw only the cancellation a failed write caused.
        if (writeFailure is not null) throw state.Stopped(writeFailure, manifest.Path);
        if (failure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
        return state.Summary(manifest.Path);
    }

    // Keys an earlier run finished: every requested method's files are in place, or the input itself was unreadable.
    private static HashSet<string> Finished(IReadOnlyList<ManifestEntry> entries, IReadOnlyList<string> methods, string outputDir)
    {
        var last = new Dictionary<string, ManifestEntry>(StringComparer.Ordinal);
        foreach (var entry in entries) last[entry.Path] = entry;
        return last.Values.Where(entry => entry.Status == ManifestEntry.Failed
                ? entry.Errors?.ContainsKey(InputError) == true
                : methods.All(m => entry.Outputs?.GetValueOrDefault(m) is { } outputs && outputs.Files.All(f => File.Exists(Path.Combine(outputDir, f)))))
            .Select(entry => entry.Path)
            .ToHashSet(StringComparer.Ordinal);
    }

    // Files a killed run of this shard had staged but not committed (StagedOutputs' hidden temporary names, tagged with
    // the shard): shards running at the same time share the folder, and each one's files in flight are its own.
    private static void RemoveStagedLeftovers(string outputDir, string shard)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = 0 };
        foreach (var file in Directory.EnumerateFiles(outputDir, ".*.partial*", options))
            if (StagedOutputs.IsStagedBy(file, shard)) File.Delete(file);
    }

    /// <summary>The <see cref="ManifestEntry.Errors"/> key of an input that could not be read.</summary>
    public const string InputError = "input";

    private static Decoded Decode(int order, BatchInput input, PreprocessConfig config, InputBuffers buffers, PerformanceProfiler profiler)
    {
        var decodeClock = Stopwatch.StartNew();
        float[]? pixels = null;
        try
        {
            var image = ImageInput.FromFile(input.FullPath);
            using (profiler.Measure("decode")) GC.KeepAlive(image.IsPreprocessed);
            double decodeMs = decodeClock.Elapsed.TotalMilliseconds;
            var preprocessClock = Stopwatch.StartNew();
            using var preprocessing = profiler.Measure("preprocess");
            pixels = buffers.Rent();
            image.WriteModelInput(config, buffers.Values(pixels));
            var display = image.ToDisplayImage(config);
            return new Decoded(order, input, pixels, display, null, decodeMs, preprocessClock.Elapsed.TotalMilliseconds);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            if (pixels is not null) buffers.Return(pixels);
            return new Decoded(order, input, null, null, e.Message, decodeClock.Elapsed.TotalMilliseconds, 0);
        }
    }

    // The model stage: takes decoded inputs in input order (so batches are the same whatever the decoders' timing)
    // and explains them batch by batch.
    private static void ExplainInOrder(RunState state, ChannelReader<Decoded> decoded, ChannelWriter<Explained> explained, SemaphoreSlim window, CancellationToken stop)
    {
        var reorder = new SortedDictionary<int, Decoded>();
        var batch = new List<Decoded>(state.Request.BatchSize);
        int expected = 0;
        while (decoded.WaitToReadAsync(stop).AsTask().GetAwaiter().GetResult())
        {
            while (decoded.TryRead(out var item)) reorder[item.Order] = item;
            while (reorder.Remove(expected, out var item))
            {
                expected++;
                window.Release();
                if (item.Error is not null) Send(explained, new Explained(item, null, null), stop);
                else batch.Add(item);
                if (batch.Count == state.Request.BatchSize) ExplainBatch(state, batch, explained, stop);
            }
        }
        if (batch.Count > 0) ExplainBatch(state, batch, explained, stop);
    }

    private static void ExplainBatch(RunState state, List<Decoded> batch, ChannelWriter<Explained> explained, CancellationToken stop)
    {
        stop.ThrowIfCancellationRequested();
        var config = state.Request.Model.Config.Preprocess;
        var buffers = state.Buffers;
        var clock = Stopwatch.StartNew();
        IReadOnlyList<MethodRunResult> results;
        using (var inputs = empty([batch.Count, 3, config.Height, config.Width], ScalarType.Float32))
        {
            // Each image's values straight into the batch tensor: no batch-sized managed buffer to copy through.
            var values = MemoryMarshal.Cast<byte, float>(inputs.bytes);
            for (int i = 0; i < batch.Count; i++)
            {
                var pixels = batch[i].Pixels!;
                buffers.Values(pixels).CopyTo(values.Slice(i * buffers.Length, buffers.Length));
                buffers.Return(pixels);
            }
            results = MethodRun.RunBatch(state.Request.Model, inputs, state.Methods, new Targets.IExplanationTarget?[batch.Count], state.Request.Options,
                profiler: state.Profiler, cache: state.Request.Cache);
        }
        double share = clock.Elapsed.TotalMilliseconds / batch.Count;
        for (int i = 0; i < batch.Count; i++) Send(explained, new Explained(batch[i], results[i], share), stop);
        batch.Clear();
    }

    private static void Send(ChannelWriter<Explained> explained, Explained item, CancellationToken stop) =>
        explained.WriteAsync(item, stop).AsTask().GetAwaiter().GetResult();

    // Buffers of one model input each, reused across the run; at most `capacity` are kept for reuse.
    private sealed class InputBuffers(int length, int capacity)
    {
        private readonly ArrayPool<float> _pool = ArrayPool<float>.Create(length, capacity);

        public int Length => length;

        public float[] Rent() => _pool.Rent(length);

        public Span<float> Values(float[] buffer) => buffer.AsSpan(0, length);

        public void Return(float[] buffer) => _pool.Return(buffer);
    }

    private sealed record Decoded(int Order, BatchInput Input, float[]? Pixels, RgbImage? Display, string? Error, double DecodeMs, double PreprocessMs);

    private sealed record Explained(Decoded Input, MethodRunResult? Result, double? ExplainMs);

    private sealed class RunState(BatchExplainRequest request, IReadOnlyList<string> methods, FigureOptions figureOptions, PerformanceProfiler profiler,
        BatchManifest manifest, InputBuffers buffers, int total, int alreadyDone, Stopwatch clock)
    {
        private readonly ConcurrentDictionary<string, string> _failed = new(StringComparer.Ordinal);
        private readonly int _alreadyDone = alreadyDone;
        private int _explained, _partial, _done = alreadyDone;

        public BatchExplainRequest Request => request;

        public IReadOnlyList<string> Methods => methods;

        public PerformanceProfiler Profiler => profiler;

        public InputBuffers Buffers => buffers;

        public bool Cancelled { get; set; }

        // The writer stage: one input's files committed together, then its manifest line.
        public void Write(Explained item)
        {
            var input = item.Input;
            var timings = new Dictionary<string, double>
            {
                ["decode"] = Math.Round(input.DecodeMs, 2),
                ["preprocess"] = Math.Round(input.PreprocessMs, 2),
            };
            ManifestEntry entry;
            if (item.Result is not { } result)
            {
                entry = new ManifestEntry { Path = input.Input.Key, Status = ManifestEntry.Failed, Errors = new Dictionary<string, string> { [InputError] = input.Error! }, TimingsMs = timings };
            }
            else
            {
                timings["explain"] = Math.Round(item.ExplainMs ?? 0, 2);
                var errors = new Dictionary<string, string>(result.Errors);
                var outputs = WriteOutputs(input, result, timings);
                var prediction = result.Prediction as ClassPrediction;
                entry = new ManifestEntry
                {
                    Path = input.Input.Key,
                    Status = outputs.Count == methods.Count ? ManifestEntry.Ok : outputs.Count > 0 ? ManifestEntry.Partial : ManifestEntry.Failed,
                    PredictedClass = prediction?.PredictedClass,
                    Label = prediction is null ? null : request.Model.Config.LabelOf(prediction.PredictedClass),
                    Confidence = prediction is null ? null : Math.Round(prediction.Confidence, 6),
                    TargetClass = result.Target.ClassIndex,
                    Outputs = outputs.Count > 0 ? outputs : null,
                    Errors = errors.Count > 0 ? errors : null,
                    TimingsMs = timings,
                };
            }
            manifest.Append(entry);
            if (entry.Status == ManifestEntry.Ok) Interlocked.Increment(ref _explained);
            else if (entry.Status == ManifestEntry.Partial) Interlocked.Increment(ref _partial);
            else _failed[entry.Path] = string.Join("; ", entry.Errors!.Select(e => $"{e.Key}: {e.Value}"));
            int done = Interlocked.Increment(ref _done);
            double rate = (done - _alreadyDone) / Math.Max(1e-9, clock.Elapsed.TotalSeconds);
            request.Progress?.Report(new WorkProgress("explain-batch", done, total) { Detail = string.Create(CultureInfo.InvariantCulture, $"{rate:F1} images/s") });
        }

        private Dictionary<string, ManifestOutputs> WriteOutputs(Decoded input, MethodRunResult result, Dictionary<string, double> timings)
        {
            var renderClock = new Stopwatch();
            var writeClock = new Stopwatch();
            var stem = input.Input.Key;
            var directory = Path.GetDirectoryName(Path.Combine(request.OutputDir, stem))!;
            Directory.CreateDirectory(directory);
            var outputs = new Dictionary<string, ManifestOutputs>();
            using var staged = new StagedOutputs(request.Shard.Label);
            foreach (var method in methods.Where(result.Heatmaps.ContainsKey))
            {
                var heatmap = result.Heatmaps[method];
                string figure = $"{stem}.{method}.png", raw = $"{stem}.{method}_raw.npy", attributions = $"{stem}.{method}_attr.npy";
                byte[] png;
                renderClock.Start();
                using (profiler.Measure("render"))
                    png = ImageIO.EncodePng(Overlay.Heatmap(input.Display!, heatmap, figureOptions.Alpha, figureOptions.Colormap));
                renderClock.Stop();
                writeClock.Start();
                using (profiler.Measure("write"))
                {
                    staged.Write(Path.Combine(request.OutputDir, figure), path => File.WriteAllBytes(path, png));
                    if (request.SaveRaw)
                    {
                        staged.Write(Path.Combine(request.OutputDir, raw), path => Interpretation.WriteStagedArray(path, heatmap.Raw, [heatmap.Height, heatmap.Width]));
                        if (heatmap.Attributions is { } values)
                            staged.Write(Path.Combine(request.OutputDir, attributions), path => Interpretation.WriteStagedArray(path, values, [3, heatmap.Height, heatmap.Width]));
                    }
                }
                writeClock.Stop();
                outputs[method] = new ManifestOutputs(figure, request.SaveRaw ? raw : null, request.SaveRaw && heatmap.Attributions is not null ? attributions : null);
            }
            writeClock.Start();
            staged.Commit();
            timings["render"] = Math.Round(renderClock.Elapsed.TotalMilliseconds, 2);
            timings["write"] = Math.Round(writeClock.Elapsed.TotalMilliseconds, 2);
            return outputs;
        }

        /// <summary>The error that ends a run whose write failed, with what was kept and how to go on.</summary>
        public IOException Stopped(Exception cause, string manifestPath) => new(
            $"explain-batch stopped: {cause.Message}. {_done} of {total} inputs are done and listed in {manifestPath}, every one with its files whole; " +
            "free space (or fix the folder) and run the same command again to continue.", cause);

        public BatchExplainSummary Summary(string manifestPath) => new()
        {
            Inputs = total,
            AlreadyDone = _alreadyDone,
            Explained = _explained,
            Partial = _partial,
            Failed = new SortedDictionary<string, string>(_failed, StringComparer.Ordinal),
            Manifest = manifestPath,
            ElapsedSeconds = Math.Round(clock.Elapsed.TotalSeconds, 3),
            Stages = profiler.Summary,
            Cancelled = Cancelled,
        };
    }
}
