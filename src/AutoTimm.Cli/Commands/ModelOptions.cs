using System.CommandLine;
using AutoTimm.Models;

namespace AutoTimm.Cli.Commands;

/// <summary>Options every verb that loads a model shares: <c>--checkpoint</c>, <c>--arch</c>, <c>--num-classes</c>.</summary>
internal sealed class ModelOptions
{
    public Option<string?> Checkpoint { get; } = new("--checkpoint")
    {
        Description = "Checkpoint: AutoTimm .safetensors, PyTorch .pth/.pt state_dict, timm/torchvision .safetensors, Lightning .ckpt, or an ONNX classifier .onnx (default: the bundled classifier)",
    };

    public Option<string?> OnnxConfig { get; } = new("--onnx-config") { Description = "ONNX models: sidecar JSON describing the input and output (default: model.onnx.json beside the model, when present); the flags below override it", HelpName = "FILE" };

    public Option<string?> InputSize { get; } = new("--input-size") { Description = "ONNX models: input size H or H,W in pixels (default: the graph's declared size, else 224)", HelpName = "H[,W]" };

    public Option<string?> Layout { get; } = new("--layout") { Description = "ONNX models: input layout, nchw or nhwc (default: read from the graph's declared input shape)" };

    public Option<string?> ChannelOrder { get; } = new("--channel-order") { Description = "ONNX models: channel order of the input, rgb or bgr (default rgb)" };

    public Option<string?> Range { get; } = new("--range") { Description = "ONNX models: the values pixel intensities 0 and 1 map to before normalization (default 0,1; 0,255 for raw pixels)", HelpName = "lo,hi" };

    public Option<string?> Mean { get; } = new("--mean") { Description = "ONNX models: per-channel mean subtracted, in the input's channel order and --range units (default ImageNet's)", HelpName = "c1,c2,c3" };

    public Option<string?> Std { get; } = new("--std") { Description = "ONNX models: per-channel standard deviation divided, in the input's channel order and --range units (default ImageNet's)", HelpName = "c1,c2,c3" };

    public Option<string?> ClassNames { get; } = new("--class-names") { Description = "ONNX models: class labels in output order, comma-separated or a text file with one per line" };

    public Option<string?> OutputName { get; } = new("--output-name") { Description = "ONNX models: the graph output to explain (default the first); outputs with more than two axes are flattened per image" };

    private Option<string?>[] OnnxOnly => [OnnxConfig, InputSize, Layout, ChannelOrder, Range, Mean, Std, ClassNames, OutputName];

    public Option<string?> Arch { get; } = new("--arch") { Description = "Architecture, for checkpoints without AutoTimm metadata (a Lightning .ckpt may name it in hyper_parameters.backbone)" };

    public Option<int?> NumClasses { get; } = new("--num-classes") { Description = "Number of classes, for checkpoints without AutoTimm metadata (default: the classifier weight's rows, else hyper_parameters.num_classes)" };

    public Option<string> Device { get; } = CreateDeviceOption();

    public void AddTo(Command command)
    {
        command.Options.Add(Checkpoint);
        command.Options.Add(Arch);
        command.Options.Add(NumClasses);
        command.Options.Add(Device);
        foreach (var option in OnnxOnly) command.Options.Add(option);
    }

    /// <summary>Loads a classifier and moves it to the chosen device; inputs follow the model.</summary>
    public ImageClassifier Load(ParseResult parse) => (ImageClassifier)LoadAny(parse, ModelTask.ImageClassifier);

    /// <summary>
    /// Loads a model of any task and moves it to the chosen device. Without <c>--checkpoint</c>, the bundled model of
    /// <paramref name="task"/> (the classifier when null); with one, its task must be <paramref name="task"/> when given.
    /// </summary>
    public VisionModel LoadAny(ParseResult parse, ModelTask? task)
    {
        var path = parse.GetValue(Checkpoint);
        bool onnx = path is not null && path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase);
        foreach (var option in OnnxOnly)
            if (!onnx && parse.GetValue(option) is not null)
                throw new ArgumentException($"{option.Name} describes an ONNX model's input; AutoTimm and PyTorch checkpoints carry their own (give --checkpoint model.onnx)");
        VisionModel model = onnx
            ? LoadOnnx(path!, OnnxOptions(parse, path!), task)
            : ModelCheckpoint.Load(path ?? BundledModels.PathFor(task ?? ModelTask.ImageClassifier), parse.GetValue(Arch), parse.GetValue(NumClasses));
        if (task is { } expected && model.Config.Task != expected)
        {
            var found = model.Config.Task;
            model.Dispose();
            throw new ArgumentException($"{path ?? "the bundled model"} holds a {found} ({model.Config.Arch}); --task-class {expected} needs a {expected} checkpoint (or leave --task-class out: the task is read from the checkpoint)");
        }
        try
        {
            model.MoveTo(ModelDevices.Parse(parse.GetValue(Device)!));
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>An ONNX graph as the task asked for (--task-class, else the sidecar's "task"): a classifier or a segmenter.</summary>
    private static VisionModel LoadOnnx(string path, Models.Onnx.OnnxModelOptions options, ModelTask? task) => (task ?? options.Task) switch
    {
        ModelTask.SemanticSegmentor => Models.Onnx.OnnxSegmentor.Load(path, options),
        ModelTask.ImageClassifier => Models.Onnx.OnnxModel.Load(path, options),
        var other => throw new NotSupportedException($"{path}: ONNX graphs load as ImageClassifier or SemanticSegmentor; a {other}'s outputs (anchors, boxes) differ from graph to graph, so explain its scores as a classifier's (each flattened output value is a class)"),
    };

    /// <summary>The sidecar (given, or found beside the model), with each flag given overriding it.</summary>
    private Models.Onnx.OnnxModelOptions OnnxOptions(ParseResult parse, string path)
    {
        var sidecar = parse.GetValue(OnnxConfig) ?? Models.Onnx.OnnxSidecar.FindFor(path);
        var options = sidecar is null ? new Models.Onnx.OnnxModelOptions() : Models.Onnx.OnnxSidecar.Read(sidecar);
        if (parse.GetValue(InputSize) is { } size)
        {
            var hw = Numbers(size, "--input-size", 1, 2);
            if (hw.Any(v => v < 8 || v > 4096 || v != Math.Floor(v))) throw new ArgumentException($"--input-size '{size}': give whole pixels between 8 and 4096");
            options = options with { Height = (int)hw[0], Width = (int)hw[^1] };
        }
        if (parse.GetValue(Layout) is { } layout) options = options with { Layout = Choice<Models.Onnx.OnnxLayout>(layout, "--layout") };
        if (parse.GetValue(ChannelOrder) is { } order) options = options with { ChannelOrder = Choice<Models.Onnx.OnnxChannelOrder>(order, "--channel-order") };
        if (parse.GetValue(Range) is { } range)
        {
            var values = Numbers(range, "--range", 2, 2);
            if (values[0] >= values[1]) throw new ArgumentException($"--range '{range}': the first value must be smaller");
            options = options with { Range = [.. values.Select(v => (float)v)] };
        }
        if (parse.GetValue(Mean) is { } mean) options = options with { Mean = [.. Numbers(mean, "--mean", 3, 3).Select(v => (float)v)] };
        if (parse.GetValue(Std) is { } std)
        {
            var values = Numbers(std, "--std", 3, 3);
            if (values.Any(v => v <= 0)) throw new ArgumentException($"--std '{std}': standard deviations must be positive");
            options = options with { Std = [.. values.Select(v => (float)v)] };
        }
        if (parse.GetValue(ClassNames) is { } names)
            options = options with
            {
                ClassNames = File.Exists(names)
                    ? File.ReadAllLines(names).Select(l => l.Trim()).Where(l => l.Length > 0).ToList()
                    : names.Split(',', StringSplitOptions.TrimEntries),
            };
        if (parse.GetValue(OutputName) is { } output) options = options with { Output = output };
        return options;
    }

    private static T Choice<T>(string text, string option) where T : struct, Enum =>
        Enum.TryParse<T>(text, ignoreCase: true, out var value) && Enum.IsDefined(value)
            ? value
            : throw new ArgumentException($"{option} '{text}': give one of {string.Join(", ", Enum.GetNames<T>().Select(n => n.ToLowerInvariant()))}");

    private static double[] Numbers(string text, string option, int min, int max)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var values = new double[parts.Length];
        if (parts.Length < min || parts.Length > max
            || parts.Select((p, i) => double.TryParse(p, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out values[i]) && double.IsFinite(values[i])).Any(ok => !ok))
            throw new ArgumentException($"{option} '{text}': give {(min == max ? $"{min}" : $"{min} to {max}")} comma-separated numbers");
        return values;
    }

    private static Option<string> CreateDeviceOption()
    {
        var option = new Option<string>("--device") { Description = "Device the model runs on: cpu, cuda or cuda:N (CUDA needs a CUDA libtorch package)", DefaultValueFactory = _ => "cpu" };
        option.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<string>();
            if (!ModelDevices.IsWellFormed(value))
                result.AddError($"--device '{value}' is not a device; give cpu, cuda or cuda:N (N a GPU index)");
        });
        return option;
    }
}
