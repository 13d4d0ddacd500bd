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

    public void AddTo(Command command)
    {
        command.Options.Add(Checkpoint);
        command.Options.Add(Arch);
        command.Options.Add(NumClasses);
    }

    public ImageClassifier Load(ParseResult parse) =>
        ClassifierCheckpoint.Load(parse.GetValue(Checkpoint) ?? BundledModels.CnnPath, parse.GetValue(Arch), parse.GetValue(NumClasses));
}
