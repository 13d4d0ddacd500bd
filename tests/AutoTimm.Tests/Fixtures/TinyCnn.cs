using TorchSharp;
using static TorchSharp.torch;

namespace AutoTimm.Tests.Fixtures;

/// <summary>The tiny CNN of the fixture script (<c>tiny_cnn()</c>), with the same parameter names.</summary>
internal static class TinyCnn
{
    public static nn.Module<Tensor, Tensor> Create() => nn.Sequential(
        ("conv1", nn.Conv2d(3, 4, 3, padding: 1)),
        ("bn1", nn.BatchNorm2d(4)),
        ("relu", nn.ReLU()),
        ("conv2", nn.Conv2d(4, 6, 3, stride: 2, padding: 1, bias: false)),
        ("pool", nn.AdaptiveAvgPool2d(1)),
        ("flatten", nn.Flatten()),
        ("fc", nn.Linear(6, 5)));

    public static readonly string[] Names =
    [
        "conv1.weight", "conv1.bias", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var", "bn1.num_batches_tracked",
        "conv2.weight", "fc.weight", "fc.bias",
    ];
}
