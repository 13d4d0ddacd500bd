using AutoTimm.Imaging;
using AutoTimm.Models;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace AutoTimm.Interpretation.Tests.Models;

/// <summary>conv (3->4, 3x3, pad 1) -> ReLU -> global average pool -> fc (4->3): GradCAM has a closed form here.</summary>
internal sealed class TinyConvNet : ImageClassifier
{
    public readonly TorchSharp.Modules.Conv2d Conv;
    public readonly TorchSharp.Modules.Linear Fc;
    private readonly TorchSharp.Modules.ReLU _relu;

    public TinyConvNet(long seed = 0) : base(nameof(TinyConvNet), MakeConfig(8))
    {
        manual_seed(seed);
        Conv = nn.Conv2d(3, 4, 3, padding: 1);
        _relu = nn.ReLU();
        Fc = nn.Linear(4, 3);
        register_module("conv", Conv);
        register_module("relu", _relu);
        register_module("fc", Fc);
    }

    internal static ModelConfig MakeConfig(int size) => new()
    {
        Arch = "tiny",
        NumClasses = 3,
        Preprocess = new PreprocessConfig { Height = size, Width = size, Mean = [0.5f, 0.4f, 0.3f], Std = [0.2f, 0.25f, 0.5f] },
    };

    protected override void RegisterComponents() { }

    public override string DefaultTargetLayer => "relu";

    public override string ClassifierName => "fc";

    public override Tensor forward(Tensor input) => Fc.call(ForwardFeatures(input));

    public override Tensor ForwardFeatures(Tensor input) => F.adaptive_avg_pool2d(_relu.call(Conv.call(input)), 1).flatten(1);
}

/// <summary>logits = W flatten(x) + b: Integrated Gradients is exactly (x - x') * W[c].</summary>
internal sealed class LinearNet : ImageClassifier
{
    public readonly TorchSharp.Modules.Linear Fc;

    public LinearNet(long seed = 0) : base(nameof(LinearNet), TinyConvNet.MakeConfig(4))
    {
        manual_seed(seed);
        Fc = nn.Linear(3 * 4 * 4, 3);
        register_module("fc", Fc);
    }

    protected override void RegisterComponents() { }

    public override string DefaultTargetLayer => "fc";

    public override string ClassifierName => "fc";

    public override Tensor forward(Tensor input) => Fc.call(input.flatten(1));

    public override Tensor ForwardFeatures(Tensor input) => input.flatten(1);
}
