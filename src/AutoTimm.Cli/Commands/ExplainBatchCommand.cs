using System.CommandLine;
using AutoTimm.Diagnostics;
using AutoTimm.Interpretation.Batch;
using AutoTimm.Models;
using static TorchSharp.torch;

namespace AutoTimm.Cli.Commands;

/// <summary>
/// <c>autotimm explain-batch</c>: explains every image of a folder or list into a folder, streaming, resumable, and
/// split across cluster tasks by <c>--shard</c> (or the scheduler's task index).
/// </summary>
internal static class ExplainBatchCommand
{
    public static Command Create()
    {
        var model = new ModelOptions();
        var inputDir = new Option<string?>("--input-dir") { Description = $"Folder of inputs, searched recursively ({string.Join(", ", BatchInputs.Extensions)})" };
        var list = new Option<string?>("--list") { Description = "File listing inputs, one path per line (relative to the list's folder); instead of --input-dir" };
        var outputDir = new Option<string>("--output-dir") { Description = "Folder for overlays, raw maps and the manifest", Required = true };
        var methods = MethodOptions.MethodList("gradcam");
        var batchSize = new Option<int>("--batch-size") { Description = $"Images per forward/backward, 1..{BatchExplainRequest.MaxBatchSize}", DefaultValueFactory = _ => 16 };
        batchSize.Validators.Add(result => CliValidation.InRange(result, "--batch-size", 1, BatchExplainRequest.MaxBatchSize));
        var shard = new Option<string?>("--shard") { Description = "Explain part i of n (0-based), e.g. 0/4; default: from JOB_COMPLETION_INDEX (Kubernetes) or SLURM_ARRAY_TASK_ID (Slurm), else everything", HelpName = "i/n" };
        shard.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is not { } value) return;
            try
            {
                InputShard.Parse(value);
            }
            catch (FormatException e)
            {
                result.AddError($"--shard: {e.Message}");
            }
        });
        var shards = new Option<int?>("--shards") { Description = "Number of shards when the index comes from the scheduler's environment (Kubernetes: the job's completions)" };
        shards.Validators.Add(result => CliValidation.InRange(result, "--shards", 1, 1_000_000));
        var workers = new Option<int>("--workers") { Description = $"Threads decoding ahead of the model (as many write behind it), 1..{BatchExplainRequest.MaxWorkers}", DefaultValueFactory = _ => 1 };
        workers.Validators.Add(result => CliValidation.InRange(result, "--workers", 1, BatchExplainRequest.MaxWorkers));
        var threads = new Option<int?>("--threads") { Description = "libtorch threads (default: libtorch's, the physical cores)" };
        threads.Validators.Add(result => CliValidation.InRange(result, "--threads", 1, Training.TrainingRun.MaxThreads));
        var noRaw = new Option<bool>("--no-raw") { Description = "Write only the overlay PNGs, not the raw maps (.npy)" };
        var profile = new Option<bool>("--profile") { Description = "Also write a Chrome trace-event file (trace.json, or trace.shard-i-of-n.json) of every stage" };
        var figure = new FigureFlags();
        var methodOptions = new MethodOptions();
        var cacheFlags = new CacheFlags();

        var command = new Command("explain-batch",
            "Explain every image of a folder or list into a folder: streaming (decode ahead, write behind), resumable (finished images are skipped on restart), shardable across cluster tasks; one manifest line per image; prints a summary.");
        model.AddTo(command);
        foreach (var option in new Option[] { inputDir, list, outputDir, methods, batchSize, shard, shards, workers, threads, noRaw, profile, figure.Colormap, figure.Alpha })
            command.Options.Add(option);
        methodOptions.AddTo(command);
        cacheFlags.AddTo(command);
        command.Validators.Add(result =>
        {
            bool dir = result.GetResult(inputDir) is not null, listed = result.GetResult(list) is not null;
            if (dir == listed) result.AddError(dir ? "give --input-dir or --list, not both" : "give the inputs: --input-dir DIR or --list FILE");
            if (result.GetResult(shard) is not null && result.GetResult(shards) is not null) result.AddError("give --shard i/n or --shards n, not both");
        });

        command.SetJsonAction(parse =>
        {
            var output = parse.GetValue(outputDir)!;
            var inputs = parse.GetValue(inputDir) is { } dir ? BatchInputs.FromDirectory(dir, exclude: output) : BatchInputs.FromList(parse.GetValue(list)!);
            var part = parse.GetValue(shard) is { } text ? InputShard.Parse(text) : InputShard.FromEnvironment(parse.GetValue(shards)) ?? InputShard.All;
            if (parse.GetValue(threads) is { } count) set_num_threads(count);
            using var loaded = model.LoadAny(parse, null);
            var profiler = new PerformanceProfiler { RecordTrace = parse.GetValue(profile) };
            var cache = cacheFlags.Build(parse);
            var summary = CliProgress.Run(progress => BatchExplainer.Run(new BatchExplainRequest
            {
                Model = loaded,
                Inputs = inputs,
                OutputDir = output,
                Methods = MethodOptions.SplitList(parse.GetValue(methods)!),
                Options = methodOptions.Build(parse),
                BatchSize = parse.GetValue(batchSize),
                Shard = part,
                Workers = parse.GetValue(workers),
                Colormap = parse.GetValue(figure.Colormap)!,
                Alpha = parse.GetValue(figure.Alpha),
                SaveRaw = !parse.GetValue(noRaw),
                Progress = progress,
                Profiler = profiler,
                Cache = cache,
            }));
            string? trace = null;
            if (profiler.RecordTrace)
            {
                trace = Path.Combine(output, part.IsAll ? "trace.json" : $"trace.{part.Label}.json");
                profiler.WriteChromeTrace(trace);
            }
            if (summary.Inputs > 0 && summary.AlreadyDone + summary.Explained + summary.Partial == 0)
                throw new CliFailure($"no input could be explained: {string.Join("; ", summary.Failed.Take(5).Select(f => $"{f.Key}: {f.Value}"))}",
                    new Dictionary<string, object?> { ["failed"] = summary.Failed, ["manifest"] = summary.Manifest });
            return new
            {
                manifest = summary.Manifest,
                shard = part.IsAll ? null : new { index = part.Index, count = part.Count },
                inputs = summary.Inputs,
                already_done = summary.AlreadyDone,
                explained = summary.Explained,
                partial = summary.Partial,
                failed = summary.Failed,
                elapsed_s = summary.ElapsedSeconds,
                images_per_s = Math.Round(summary.ImagesPerSecond, 2),
                timings_ms = summary.Stages.ToDictionary(kv => kv.Key, kv => new
                {
                    count = kv.Value.Count,
                    total = Math.Round(kv.Value.TotalMs, 1),
                    mean = Math.Round(kv.Value.MeanMs, 2),
                    std = Math.Round(kv.Value.StdMs, 2),
                    min = Math.Round(kv.Value.MinMs, 2),
                    max = Math.Round(kv.Value.MaxMs, 2),
                }),
                trace,
                cache = CacheFlags.Report(cache),
                task = loaded.Config.Task.ToString(),
            };
        });
        return command;
    }
}
