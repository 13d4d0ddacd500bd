using System.CommandLine;
using AutoTimm.Data;
using AutoTimm.Training;

namespace AutoTimm.Cli.Commands;

/// <summary>
/// <c>autotimm canvases</c>: write cluttered Fashion-MNIST canvases with masks and boxes (localization ground truth), or
/// with <c>--multi</c> the multi-object canvases detectors and segmenters are tested on.
/// </summary>
internal static class CanvasesCommand
{
    public static Command Create()
    {
        var split = new Option<string>("--split") { Description = "test | train", DefaultValueFactory = _ => "test" };
        var start = new Option<long>("--start") { Description = "First canvas index", DefaultValueFactory = _ => 0 };
        var count = new Option<int>("--count") { Description = "Number of canvases", DefaultValueFactory = _ => 8 };
        var size = new Option<int?>("--size") { Description = "Canvas side in pixels (default 64, 96 with --multi)" };
        var seed = new Option<ulong?>("--seed") { Description = "Generator seed (default: the seed of the test canvases models are evaluated on)" };
        var multi = new Option<bool>("--multi") { Description = "Multi-object canvases (1-4 items, class masks, boxes) as detectors and segmenters are tested on" };
        var dataDir = new Option<string?>("--data-dir") { Description = "Folder holding the Fashion-MNIST IDX files" };
        var outputDir = new Option<string>("--output-dir") { Description = "Output folder", DefaultValueFactory = _ => "canvases" };
        var command = new Command("canvases", "Write canvases as PNG with item masks and canvases.json (labels, boxes).");
        foreach (var option in new Option[] { split, start, count, size, seed, multi, dataDir, outputDir }) command.Options.Add(option);
        command.SetJsonAction(parse =>
        {
            var mnist = FashionMnist.Load(parse.GetValue(dataDir));
            var source = parse.GetValue(split) switch
            {
                "test" => mnist.Test,
                "train" => mnist.Train,
                var other => throw new ArgumentException($"unknown split '{other}'; known: test, train"),
            };
            if (parse.GetValue(multi))
            {
                var options = MultiObjectTraining.CanvasOptions(parse.GetValue(size) ?? 96);
                var objects = new MultiObjectCanvasGenerator(source, parse.GetValue(seed) ?? MultiObjectTraining.TestCanvasSeed, options);
                var canvases = MultiObjectCanvasExport.Write(objects, parse.GetValue(start), parse.GetValue(count), parse.GetValue(outputDir)!);
                return (object)new { output_dir = parse.GetValue(outputDir), canvases };
            }
            var generator = new ClutteredCanvasGenerator(source, parse.GetValue(seed) ?? ClassificationData.TestCanvasSeed,
                new ClutteredCanvasOptions { Size = parse.GetValue(size) ?? 64 });
            var written = CanvasExport.Write(generator, parse.GetValue(start), parse.GetValue(count), parse.GetValue(outputDir)!);
            return new { output_dir = parse.GetValue(outputDir), canvases = written };
        });
        return command;
    }
}
