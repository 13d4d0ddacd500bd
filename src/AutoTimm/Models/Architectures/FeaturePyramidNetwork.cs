using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;
using AutoTimm.Native;

namespace AutoTimm.Models.Architectures;

/// <summary>
/// torchvision's <c>FeaturePyramidNetwork</c>: a 1x1 lateral convolution per input level (<c>inner_blocks.i.0</c>),
/// a top-down path with nearest upsampling, a 3x3 output convolution per level (<c>layer_blocks.i.0</c>), and
/// optionally <c>LastLevelP6P7</c> (<c>extra_blocks.p6</c>, <c>extra_blocks.p7</c>). Every level's output is the
/// output of one module, so each is a hookable layer.
/// </summary>
public sealed class FeaturePyramidNetwork : nn.Module
{
    private readonly nn.Module<Tensor, Tensor>[] _inner, _layer;
    private readonly nn.Module<Tensor, Tensor>? _p6, _p7;

    /// <summary>Creates the pyramid.</summary>
    /// <param name="inChannels">Channels of each input level, highest resolution first.</param>
    /// <param name="outChannels">Channels of every output level.</param>
    /// <param name="extraP6P7">
    /// Whether to add P6 and P7: stride-2 3x3 convolutions on P5 (torchvision's <c>LastLevelP6P7(out, out)</c>, as FCOS builds it).
    /// </param>
    public FeaturePyramidNetwork(IReadOnlyList<int> inChannels, int outChannels, bool extraP6P7) : base(nameof(FeaturePyramidNetwork))
    {
        ArgumentNullException.ThrowIfNull(inChannels);
        _inner = new nn.Module<Tensor, Tensor>[inChannels.Count];
        _layer = new nn.Module<Tensor, Tensor>[inChannels.Count];
        var inner = new List<nn.Module<Tensor, Tensor>>();
        var layer = new List<nn.Module<Tensor, Tensor>>();
        for (int i = 0; i < inChannels.Count; i++)
        {
            _inner[i] = nn.Sequential(("0", nn.Conv2d(inChannels[i], outChannels, kernel_size: 1)));
            _layer[i] = nn.Sequential(("0", nn.Conv2d(outChannels, outChannels, kernel_size: 3, padding: 1)));
        }
        register_module("inner_blocks", nn.ModuleList(_inner));
        register_module("layer_blocks", nn.ModuleList(_layer));
        if (extraP6P7)
        {
            _p6 = nn.Conv2d(outChannels, outChannels, kernel_size: 3, stride: 2, padding: 1);
            _p7 = nn.Conv2d(outChannels, outChannels, kernel_size: 3, stride: 2, padding: 1);
            var extra = new ExtraBlocks();
            extra.Add("p6", _p6);
            extra.Add("p7", _p7);
            register_module("extra_blocks", extra);
        }
        OutChannels = outChannels;
        LevelCount = inChannels.Count + (extraP6P7 ? 2 : 0);
        Initialize();
    }

    /// <inheritdoc/>
    protected override void RegisterComponents() { }

    /// <summary>Channels of every output level.</summary>
    public int OutChannels { get; }

    /// <summary>Number of output levels.</summary>
    public int LevelCount { get; }

    /// <summary>Name (relative to this module) of the module whose output is level <paramref name="level"/>.</summary>
    public string LevelModuleName(int level) =>
        level < _layer.Length ? $"layer_blocks.{level}" : level == _layer.Length ? "extra_blocks.p6" : "extra_blocks.p7";

    /// <summary>The pyramid's levels, highest resolution first.</summary>
    public Tensor[] Forward(IReadOnlyList<Tensor> features)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.Count != _inner.Length) throw new ArgumentException($"the pyramid takes {_inner.Length} levels, got {features.Count}");
        var results = new Tensor[LevelCount];
        var lastInner = _inner[^1].call(features[^1]);
        results[_inner.Length - 1] = _layer[^1].call(lastInner);
        for (int i = _inner.Length - 2; i >= 0; i--)
        {
            var lateral = _inner[i].call(features[i]);
            var topDown = F.interpolate(lastInner, size: [lateral.shape[2], lateral.shape[3]], mode: InterpolationMode.Nearest);
            lastInner = lateral.add(topDown, Scalars.One);
            results[i] = _layer[i].call(lastInner);
        }
        if (_p6 is not null)
        {
            var p6 = _p6.call(results[_inner.Length - 1]);
            results[_inner.Length] = p6;
            results[_inner.Length + 1] = _p7!.call(F.relu(p6));
        }
        return results;
    }

    /// <summary>torchvision's initialisation: Kaiming-uniform (a = 1) weights, zero biases.</summary>
    private void Initialize()
    {
        using var _ = no_grad();
        foreach (var (_, module) in named_modules())
        {
            if (module is TorchSharp.Modules.Conv2d conv)
            {
                nn.init.kaiming_uniform_(conv.weight, a: 1);
                nn.init.zeros_(conv.bias!);
            }
        }
    }

    /// <summary>A container for <c>p6</c> and <c>p7</c> under their torchvision names.</summary>
    private sealed class ExtraBlocks() : nn.Module(nameof(ExtraBlocks))
    {
        protected override void RegisterComponents() { }

        public void Add(string name, nn.Module module) => register_module(name, module);
    }
}
