using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace AutoTimm.Models.Architectures;

/// <summary>
/// torchvision's atrous spatial pyramid pooling (<c>ASPP</c>): a 1x1 branch, one dilated 3x3 branch per rate and an
/// image-pooling branch (<c>convs.0..</c>), concatenated and projected (<c>project</c>).
/// </summary>
public sealed class Aspp : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor>[] _branches;
    private readonly nn.Module<Tensor, Tensor> _pooling, _project;

    /// <summary>Creates the module.</summary>
    public Aspp(int inChannels, IReadOnlyList<int> rates, int outChannels) : base(nameof(Aspp))
    {
        ArgumentNullException.ThrowIfNull(rates);
        var branches = new List<nn.Module<Tensor, Tensor>>
        {
            nn.Sequential(("0", nn.Conv2d(inChannels, outChannels, 1, bias: false)), ("1", nn.BatchNorm2d(outChannels)), ("2", nn.ReLU())),
        };
        foreach (var rate in rates)
        {
            branches.Add(nn.Sequential(
                ("0", nn.Conv2d(inChannels, outChannels, 3, padding: rate, dilation: rate, bias: false)),
                ("1", nn.BatchNorm2d(outChannels)),
                ("2", nn.ReLU())));
        }
        _branches = branches.ToArray();
        _pooling = nn.Sequential(
            ("0", nn.AdaptiveAvgPool2d(1)),
            ("1", nn.Conv2d(inChannels, outChannels, 1, bias: false)),
            ("2", nn.BatchNorm2d(outChannels)),
            ("3", nn.ReLU()));
        register_module("convs", nn.ModuleList([.. _branches, _pooling]));
        _project = nn.Sequential(
            ("0", nn.Conv2d((rates.Count + 2) * outChannels, outChannels, 1, bias: false)),
            ("1", nn.BatchNorm2d(outChannels)),
            ("2", nn.ReLU()),
            ("3", nn.Dropout(0.5)));
        register_module("project", _project);
    }

    /// <inheritdoc/>
    protected override void RegisterComponents() { }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        var outputs = _branches.Select(b => b.call(x)).ToList();
        var pooled = _pooling.call(x);
        var upsampled = F.interpolate(pooled, size: [x.shape[2], x.shape[3]], mode: InterpolationMode.Bilinear, align_corners: false);
        // The pooled branch comes back NCHW (a 1x1 map has no layout to keep); in the layout of the other branches the
        // concatenation, and the head's convolutions after it, stay channels-last.
        outputs.Add(ChannelsLast.IsChannelsLast(x) ? ChannelsLast.Of(upsampled) : upsampled);
        return _project.call(cat(outputs, 1));
    }
}
