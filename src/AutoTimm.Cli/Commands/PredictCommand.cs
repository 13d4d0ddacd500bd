using System.CommandLine;
using AutoTimm.Imaging;
using AutoTimm.Models;
using AutoTimm.Native;

namespace AutoTimm.Cli.Commands;

/// <summary><c>autotimm predict</c>: classify one image, or detect or segment it (the task comes from the checkpoint).</summary>
internal static class PredictCommand
{
    public static Command Create()
    {
        var model = new ModelOptions();
        var image = new Option<string>("--image") { Description = "Image file (png/jpg/bmp/webp) or .npy float32 [3,H,W]/[1,3,H,W] model input", Required = true };
        var topK = new Option<int>("--top-k") { Description = "Number of ranked classes to list", DefaultValueFactory = _ => 5 };
        var logits = new Option<bool>("--logits") { Description = "Also print the raw logits" };
        var threshold = new Option<float>("--detection-threshold") { Description = "Detectors: score a detection needs, 0..1", DefaultValueFactory = _ => DetectionOptions.Default.ScoreThreshold };
        threshold.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<float>();
            if (!(value >= 0 && value < 1)) result.AddError($"--detection-threshold {value} is outside [0, 1)");
        });
        var outputNpy = new Option<string?>("--output-npy") { Description = "Also write the raw model output (logits, a detector's dense predictions) as float32 .npy" };
        var command = new Command("predict",
            "Classify an image (predicted_class, confidence, top_k, logits), detect objects (detections) or segment it (classes); the task comes from the checkpoint.");
        model.AddTo(command);
        command.Options.Add(image);
        command.Options.Add(topK);
        command.Options.Add(logits);
        command.Options.Add(threshold);
        command.Options.Add(outputNpy);
        command.SetJsonAction(parse =>
        {
            using var loaded = model.LoadAny(parse, null);
            var input = ImageInput.FromFile(parse.GetValue(image)!);
            if (parse.GetValue(outputNpy) is { } npy)
            {
                // The forward's intermediate tensors belong to a scope: outside one, a chained call's temporary could be
                // finalized while libtorch still reads it.
                using var scope = TorchSharp.torch.NewDisposeScope();
                using var tensor = input.ToModelInput(loaded.Config.Preprocess, loaded.Device);
                using var mode = new EvalModeScope(loaded);
                using var _ = TorchSharp.torch.inference_mode();
                using var output = loaded.call(tensor);
                Npy.Save(npy, output);
            }
            if (loaded is ObjectDetector detector)
            {
                var found = detector.Detect(input, new DetectionOptions { ScoreThreshold = parse.GetValue(threshold) });
                return (object)new
                {
                    task = loaded.Config.Task.ToString(),
                    detections = found.Select(d => new { box = d.Box.ToArray(), label = d.Label, class_name = detector.Config.LabelOf(d.Label), score = d.Score, level = d.Level }),
                    output_npy = parse.GetValue(outputNpy),
                };
            }
            if (loaded is SemanticSegmentor segmentor)
            {
                using var tensor = input.ToModelInput(segmentor.Config.Preprocess, segmentor.Device);
                using var mask = segmentor.Segment(tensor);
                using var pixels = mask.flatten();
                using var histogram = pixels.bincount(null, segmentor.NumClasses);
                var counts = histogram.CopyToArray<long>();
                long total = counts.Sum();
                return new
                {
                    task = loaded.Config.Task.ToString(),
                    classes = Enumerable.Range(0, counts.Length).Where(c => counts[c] > 0).OrderByDescending(c => counts[c])
                        .Select(c => new { @class = c, label = segmentor.Config.LabelOf(c), pixels = counts[c], share = (double)counts[c] / total }),
                    output_npy = parse.GetValue(outputNpy),
                };
            }
            var classifier = (ImageClassifier)loaded;
            var prediction = classifier.Predict(input, parse.GetValue(topK));
            return new
            {
                predicted_class = prediction.PredictedClass,
                label = prediction.Label,
                confidence = prediction.Confidence,
                top_k = prediction.TopK.Select(c => new { @class = c.Class, label = c.Label, probability = c.Probability }),
                logits = parse.GetValue(logits) ? prediction.Logits : null,
            };
        });
        return command;
    }
}
