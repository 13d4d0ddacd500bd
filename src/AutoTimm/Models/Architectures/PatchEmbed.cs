using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace AutoTimm.Models.Architectures;

/// <summary>
/// Turns an image into a token sequence. timm's PatchEmbed is one strided convolution (<c>proj</c>, kernel and
/// stride = patch size). With <see cref="VitSpec.StemChannels"/> it is a convolutional stem instead (Xiao et al.
/// 2021, "Early Convolutions Help Transformers See Better"): stride-2 3x3 convolutions with BatchNorm and ReLU
/// (<c>backbone.N.conv</c>, <c>backbone.N.bn</c>, as timm's HybridEmbed over a ConvNormAct stack), then a 1x1
/// <c>proj</c>. Either way token <c>i</c> stands for the <c>i</c>-th patch of the grid in row-major order.
/// </summary>
public sealed class PatchEmbed : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> _proj;
    private readonly StemConv[] _stem;

    /// <summary>
    /// Children are registered explicitly under their PyTorch names; TorchSharp's reflection-based registration
    /// would add the private fields a second time under their C# names.
    /// </summary>
    protected override void RegisterComponents() { }

    /// <summary>Creates the embedding described by <paramref name="spec"/>.</summary>
    public PatchEmbed(VitSpec spec) : base(nameof(PatchEmbed))
    {
        ArgumentNullException.ThrowIfNull(spec);
        var stem = spec.StemChannels ?? [];
        if (stem.Count > 0 && 1 << stem.Count != spec.PatchSize)
            throw new ArgumentException($"a convolutional stem of {stem.Count} stride-2 convolutions makes {1 << stem.Count} px patches, not {spec.PatchSize}");
        _stem = new StemConv[stem.Count];
        int channels = 3;
        for (int i = 0; i < stem.Count; i++)
        {
            _stem[i] = new StemConv(channels, stem[i]);
            channels = stem[i];
        }
        if (_stem.Length > 0)
        {
            register_module("backbone", nn.Sequential(_stem.Select((s, i) => (i.ToString(System.Globalization.CultureInfo.InvariantCulture), (nn.Module<Tensor, Tensor>)s))));
            _proj = nn.Conv2d(channels, spec.EmbedDim, kernel_size: 1);
        }
        else
        {
            _proj = nn.Conv2d(3, spec.EmbedDim, kernel_size: spec.PatchSize, stride: spec.PatchSize);
        }
        register_module("proj", _proj);
    }

    /// <summary>[N,3,H,W] to [N, H/p * W/p, D].</summary>
    public override Tensor forward(Tensor x)
    {
        x = ChannelsLast.Of(x);
        foreach (var conv in _stem) x = conv.call(x);
        // A patch-size-stride projection on the image itself runs through SpaceToDepthConvolution (input gradients
        // of patch embeddings are slow in oneDNN); unless it is hooked, so a hook still sees the module's own output.
        var projected = _stem.Length == 0 && _proj is TorchSharp.Modules.Conv2d proj && !ModuleHooks.Any(proj) && proj.padding is { } padding
            ? SpaceToDepthConvolution.Conv2d(x, proj.weight!, proj.bias, proj.stride, padding, proj.dilation, proj.groups)
            : _proj.call(x);
        return projected.flatten(2).transpose(1, 2);
    }

    /// <summary>One stem layer: 3x3 stride-2 convolution without bias, BatchNorm, ReLU.</summary>
    private sealed class StemConv : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor> _conv, _bn;

        protected override void RegisterComponents() { }

        public StemConv(int inChannels, int outChannels) : base(nameof(StemConv))
        {
            _conv = nn.Conv2d(inChannels, outChannels, kernel_size: 3, stride: 2, padding: 1, bias: false);
            _bn = nn.BatchNorm2d(outChannels);
            register_module("conv", _conv);
            register_module("bn", _bn);
        }

        public override Tensor forward(Tensor x) => F.relu(ConvBatchNorm.Forward(_conv, _bn, x));
    }
}
