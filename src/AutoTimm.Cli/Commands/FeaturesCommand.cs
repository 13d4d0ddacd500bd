using System.CommandLine;
using AutoTimm.Imaging;
using AutoTimm.Interpretation.Features;

namespace AutoTimm.Cli.Commands;

/// <summary>
/// <c>autotimm features</c>: what the model's layers compute for an image. Prints each layer's statistics and top
/// channels as JSON; with <c>--output-dir</c> also writes a feature-map grid per layer, a layer comparison chart and,
/// with <c>--channel</c>, that channel's receptive field in the first layer.
/// </summary>
internal static class FeaturesCommand
{
    public static Command Create()
    {
        var model = new ModelOptions();
        var figures = new FigureFlags();
        var image = new Option<string>("--image") { Description = "Image file (png/jpg/bmp/webp) or .npy float32 model input", Required = true };
        var layers = new Option<string?>("--layers") { Description = "Comma-separated layers (e.g. layer2,layer3,layer4); default: the model's explained layer", HelpName = "names" };
        var output = new Option<string?>("--output-dir") { Description = "Write the figures here: <layer>_features, layer_comparison and, with --channel, <layer>_channel<N>_receptive_field" };
        var numFeatures = new Option<int>("--num-features") { Description = "Feature maps per grid, 1..256", DefaultValueFactory = _ => 16 };
        numFeatures.Validators.Add(r => { var v = r.GetValueOrDefault<int>(); if (v is < 1 or > 256) r.AddError($"--num-features {v} is outside 1..256"); });
        var sortBy = new Option<FeatureOrder>("--sort-by") { Description = "Which channels a grid shows: activation (highest mean), variance or random (seeded)", DefaultValueFactory = _ => FeatureOrder.Activation };
        var seed = new Option<int>("--seed") { Description = "Seed of --sort-by random", DefaultValueFactory = _ => 0 };
        var topK = new Option<int>("--top-k") { Description = "Most active channels listed per layer", DefaultValueFactory = _ => 10 };
        topK.Validators.Add(r => { var v = r.GetValueOrDefault<int>(); if (v < 1) r.AddError($"--top-k {v} must be at least 1"); });
        var channel = new Option<int?>("--channel") { Description = "Also measure where this channel of the first layer looks in the input (its receptive field)" };
        var sensitivity = new Option<SensitivityMethod>("--sensitivity") { Description = "How --channel's receptive field is measured: gradient or occlusion", DefaultValueFactory = _ => SensitivityMethod.Gradient };
        var format = new Option<string>("--format") { Description = "Figure format: png or svg", DefaultValueFactory = _ => "png" };
        format.AcceptOnlyFromAmong("png", "svg");
        var scale = new Option<double>("--scale") { Description = "PNG scale factor for print, above 0 and at most 8", DefaultValueFactory = _ => 1 };
        scale.Validators.Add(r => { var v = r.GetValueOrDefault<double>(); if (!(v > 0 && v <= 8)) r.AddError($"--scale {v} is outside (0, 8]"); });
        var command = new Command("features",
            "Feature statistics of layers for an image (mean, std, sparsity, max, min, active channels, size, top channels); with --output-dir, feature-map grids, a layer comparison and a receptive field.");
        model.AddTo(command);
        foreach (var option in new Option[] { image, layers, output, numFeatures, sortBy, seed, topK, channel, sensitivity, format, scale, figures.Colormap })
            command.Options.Add(option);
        command.SetJsonAction(parse =>
        {
            using var loaded = model.LoadAny(parse, null);
            var input = ImageInput.FromFile(parse.GetValue(image)!);
            var viz = new FeatureVisualizer(loaded);
            var names = parse.GetValue(layers) is { } list ? MethodOptions.SplitList(list) : [loaded.DefaultTargetLayer];
            // One forward for every layer: statistics, top channels and grids all come from these maps.
            var captured = viz.FeatureMaps(input, names);
            var statistics = captured.Select(c => c.Statistics()).ToList();
            var extension = "." + parse.GetValue(format);
            var directory = parse.GetValue(output);
            if (directory is not null) Directory.CreateDirectory(directory);
            string? Figure(string name) => directory is null ? null : Path.Combine(directory, FileSafe(name) + extension);
            var colormap = parse.GetValue(figures.Colormap)!;
            var results = captured.Zip(statistics, (maps, s) =>
            {
                var grid = Figure($"{s.Layer}_features");
                IReadOnlyList<int>? shown = grid is null ? null
                    : maps.Save(grid, parse.GetValue(numFeatures), parse.GetValue(sortBy), parse.GetValue(seed), colormap, parse.GetValue(scale));
                return new
                {
                    layer = s.Layer, mean = s.Mean, std = s.Std, sparsity = s.Sparsity, max = s.Max, min = s.Min,
                    active_channels = s.ActiveChannels, channels = s.Channels, height = s.Height, width = s.Width,
                    top_channels = maps.TopChannels(parse.GetValue(topK)).Select(t => new { channel = t.Channel, mean = t.Mean, max = t.Max }),
                    figure = grid,
                    figure_channels = shown,
                };
            }).ToList();
            foreach (var maps in captured) maps.Dispose();
            var comparison = Figure("layer_comparison");
            if (comparison is not null) FeatureVisualizer.SaveLayerComparison(statistics, comparison, parse.GetValue(scale));
            object? field = null;
            if (parse.GetValue(channel) is { } c)
            {
                var measured = viz.ReceptiveField(input, names[0], c, parse.GetValue(sensitivity));
                var path = Figure($"{measured.Layer}_channel{c}_receptive_field");
                if (path is not null) FeatureVisualizer.SaveReceptiveField(measured, path, colormap, parse.GetValue(scale));
                field = new { layer = measured.Layer, channel = c, method = measured.Method.ToString().ToLowerInvariant(), peak = new[] { measured.Peak.Y, measured.Peak.X }, figure = path };
            }
            return new { image = parse.GetValue(image), layers = results, comparison_figure = comparison, receptive_field = field };
        });
        return command;
    }

    private static string FileSafe(string name) => string.Concat(name.Select(ch => char.IsAsciiLetterOrDigit(ch) || ch is '.' or '_' or '-' ? ch : '_'));
}
