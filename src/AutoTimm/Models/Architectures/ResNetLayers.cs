using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace AutoTimm.Models.Architectures;

/// <summary>
/// The convolutional part of a torchvision ResNet (<c>conv1</c>, <c>bn1</c>, <c>layer1..4</c>), built once for the
/// classifier (<see cref="ResNet"/>) and for the feature extractors of detectors and segmenters
/// (<see cref="ResNetBody"/>). The owner registers the modules under these names.
/// </summary>
internal sealed class ResNetLayers
{
    public ResNetLayers(ResNetSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.ReplaceStrideWithDilation.Length != 3)
            throw new ArgumentException("replace_stride_with_dilation needs one flag for each of stages 2, 3 and 4", nameof(spec));
        if (!spec.Bottleneck && spec.ReplaceStrideWithDilation.Any(d => d))
            throw new ArgumentException("dilation needs Bottleneck blocks (torchvision's BasicBlock does not support it)", nameof(spec));
        Spec = spec;
        Conv1 = spec.SmallInput
            ? nn.Conv2d(3, spec.StemWidth, kernel_size: 3, stride: 1, padding: 1, bias: false)
            : nn.Conv2d(3, spec.StemWidth, kernel_size: 7, stride: 2, padding: 3, bias: false);
        Bn1 = nn.BatchNorm2d(spec.StemWidth);
        int channels = spec.StemWidth, dilation = 1;
        Stages = new nn.Module<Tensor, Tensor>[4];
        for (int s = 0; s < 4; s++)
        {
            int stride = s > 0 ? 2 : 1, previousDilation = dilation;
            if (s > 0 && spec.ReplaceStrideWithDilation[s - 1])
            {
                dilation *= stride;
                stride = 1;
            }
            var blocks = new List<(string, nn.Module<Tensor, Tensor>)>();
            for (int b = 0; b < spec.Layers[s]; b++)
            {
                ResidualBlock block = spec.Bottleneck
                    ? new Bottleneck(channels, spec.Widths[s], b == 0 ? stride : 1, b == 0 ? previousDilation : dilation)
                    : new BasicBlock(channels, spec.Widths[s], b == 0 ? stride : 1);
                channels = block.OutChannels;
                blocks.Add((b.ToString(System.Globalization.CultureInfo.InvariantCulture), block));
            }
            Stages[s] = nn.Sequential(blocks);
        }
        OutChannels = channels;
    }

    public ResNetSpec Spec { get; }

    public nn.Module<Tensor, Tensor> Conv1 { get; }

    public nn.Module<Tensor, Tensor> Bn1 { get; }

    public nn.Module<Tensor, Tensor>[] Stages { get; }

    /// <summary>Channels of the last stage's output.</summary>
    public int OutChannels { get; }

    /// <summary>Registers the modules through the owner's <paramref name="register"/> under torchvision's names.</summary>
    public void RegisterOn(Action<string, nn.Module> register)
    {
        register("conv1", Conv1);
        register("bn1", Bn1);
        for (int s = 0; s < 4; s++) register($"layer{s + 1}", Stages[s]);
    }

    /// <summary>Runs the stem and stages <c>1..lastStage</c>; <paramref name="visit"/> sees each stage's output (index from 0).</summary>
    public Tensor Forward(Tensor input, int lastStage = 4, Action<int, Tensor>? visit = null)
    {
        var x = F.relu(ConvBatchNorm.Forward(Conv1, Bn1, ChannelsLast.Of(input)));
        if (!Spec.SmallInput) x = F.max_pool2d(x, kernel_size: 3, stride: 2, padding: 1);
        for (int s = 0; s < lastStage; s++)
        {
            x = Stages[s].call(x);
            visit?.Invoke(s, x);
        }
        return x;
    }

    /// <summary>torchvision's initialisation: Kaiming-normal (fan_out) convolutions, BatchNorm 1/0.</summary>
    public static void Initialize(nn.Module root)
    {
        using var _ = no_grad();
        foreach (var (_, module) in root.named_modules())
        {
            switch (module)
            {
                case TorchSharp.Modules.Conv2d conv:
                    nn.init.kaiming_normal_(conv.weight, mode: nn.init.FanInOut.FanOut, nonlinearity: nn.init.NonlinearityType.ReLU);
                    break;
                case TorchSharp.Modules.BatchNorm2d bn:
                    nn.init.ones_(bn.weight);
                    nn.init.zeros_(bn.bias);
                    break;
            }
        }
    }
}
