using System.CommandLine;
using AutoTimm.Models;

namespace AutoTimm.Cli.Commands;

/// <summary>Options every verb that loads a model shares: <c>--checkpoint</c>, <c>--arch</c>, <c>--num-classes</c>.</summary>
internal sealed class ModelOptions
{
    public Option<string?> Checkpoint { get; } = new("--checkpoint")
    {
        Description = "Checkpoint: AutoTimm .safetensors, PyTorch .pth/.pt state_dict, timm/torchvision .safetensors or Lightning .ckpt (default: the bundled classifier)",
    };

    public Option<string?> Arch { get; } = new("--arch") { Description = "Architecture, for checkpoints without AutoTimm metadata (a Lightning .ckpt may name it in hyper_parameters.backbone)" };

    public Option<int?> NumClasses { get; } = new("--num-classes") { Description = "Number of classes, for checkpoints without AutoTimm metadata (default: the classifier weight's rows, else hyper_parameters.num_classes)" };

    public Option<string> Device { get; } = CreateDeviceOption();

    public void AddTo(Command command)
    {
        command.Options.Add(Checkpoint);
        command.Options.Add(Arch);
        command.Options.Add(NumClasses);
        command.Options.Add(Device);
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
        var model = ModelCheckpoint.Load(path ?? BundledModels.PathFor(task ?? ModelTask.ImageClassifier), parse.GetValue(Arch), parse.GetValue(NumClasses));
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
