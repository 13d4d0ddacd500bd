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

    public Option<string?> InputSize { get; } = new("--input-size") { Description = "ONNX models: input size H or H,W in pixels (default 224)", HelpName = "H[,W]" };

    public Option<string?> Mean { get; } = new("--mean") { Description = "ONNX models: per-channel mean the input is normalized by, R,G,B in 0..1 (default ImageNet's)", HelpName = "r,g,b" };

    public Option<string?> Std { get; } = new("--std") { Description = "ONNX models: per-channel standard deviation, R,G,B (default ImageNet's)", HelpName = "r,g,b" };

    public Option<string?> ClassNames { get; } = new("--class-names") { Description = "ONNX models: class labels in output order, comma-separated or a text file with one per line" };

    public Option<string?> Arch { get; } = new("--arch") { Description = "Architecture, for checkpoints without AutoTimm metadata (a Lightning .ckpt may name it in hyper_parameters.backbone)" };

    public Option<int?> NumClasses { get; } = new("--num-classes") { Description = "Number of classes, for checkpoints without AutoTimm metadata (default: the classifier weight's rows, else hyper_parameters.num_classes)" };

    public Option<string> Device { get; } = CreateDeviceOption();

    public void AddTo(Command command)
    {
        command.Options.Add(Checkpoint);
        command.Options.Add(Arch);
        command.Options.Add(NumClasses);
        command.Options.Add(Device);
        command.Options.Add(InputSize);
        command.Options.Add(Mean);
        command.Options.Add(Std);
        command.Options.Add(ClassNames);
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
        foreach (var option in new[] { InputSize, Mean, Std, ClassNames })
            if (!onnx && parse.GetValue(option) is not null)
                throw new ArgumentException($"{option.Name} describes an ONNX model's input; AutoTimm and PyTorch checkpoints carry their own (give --checkpoint model.onnx)");
        VisionModel model = onnx
            ? Models.Onnx.OnnxModel.Load(path!, OnnxPreprocess(parse), OnnxClassNames(parse))
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

    private Imaging.PreprocessConfig OnnxPreprocess(ParseResult parse)
    {
        var preprocess = Imaging.PreprocessConfig.ImageNet with { CropPct = 1.0f };
        if (parse.GetValue(InputSize) is { } size)
        {
            var hw = Numbers(size, "--input-size", 1, 2);
            if (hw.Any(v => v < 8 || v > 4096 || v != Math.Floor(v))) throw new ArgumentException($"--input-size '{size}': give whole pixels between 8 and 4096");
            preprocess = preprocess with { Height = (int)hw[0], Width = (int)hw[^1] };
        }
        if (parse.GetValue(Mean) is { } mean) preprocess = preprocess with { Mean = [.. Numbers(mean, "--mean", 3, 3).Select(v => (float)v)] };
        if (parse.GetValue(Std) is { } std)
        {
            var values = Numbers(std, "--std", 3, 3);
            if (values.Any(v => v <= 0)) throw new ArgumentException($"--std '{std}': standard deviations must be positive");
            preprocess = preprocess with { Std = [.. values.Select(v => (float)v)] };
        }
        return preprocess;
    }

    private IReadOnlyList<string>? OnnxClassNames(ParseResult parse)
    {
        if (parse.GetValue(ClassNames) is not { } names) return null;
        return File.Exists(names)
            ? File.ReadAllLines(names).Select(l => l.Trim()).Where(l => l.Length > 0).ToList()
            : names.Split(',', StringSplitOptions.TrimEntries);
    }

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
