using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;
using AutoTimm.Native;

namespace AutoTimm.Models.Architectures;

/// <summary>
/// torchvision's <c>FCOSHead</c>: a classification branch (<c>classification_head.conv</c>, <c>cls_logits</c>) and a
/// regression branch (<c>regression_head.conv</c>, <c>bbox_reg</c>, <c>bbox_ctrness</c>), each
/// <c>num_convs</c> x (3x3 conv, GroupNorm(32), ReLU), shared by every pyramid level.
/// </summary>
public sealed class FcosHead : nn.Module
{
    private readonly Branch _classification, _regression;

    /// <summary>Creates the head.</summary>
    /// <param name="channels">Channels of the pyramid levels.</param>
    /// <param name="numClasses">Number of classes (one sigmoid logit each; no background logit).</param>
    /// <param name="numConvs">3x3 convolutions in each branch (torchvision: 4).</param>
    public FcosHead(int channels, int numClasses, int numConvs) : base(nameof(FcosHead))
    {
        NumClasses = numClasses;
        _classification = new Branch(channels, numConvs, ("cls_logits", numClasses));
        _regression = new Branch(channels, numConvs, ("bbox_reg", 4), ("bbox_ctrness", 1));
        register_module("classification_head", _classification);
        register_module("regression_head", _regression);
        Initialize(numClasses);
    }

    /// <inheritdoc/>
    protected override void RegisterComponents() { }

    /// <summary>Number of classes.</summary>
    public int NumClasses { get; }

    /// <summary>
    /// Dense predictions <c>[N, locations, K + 5]</c> for all levels, locations level by level in row-major order:
    /// K class logits, 4 box distances (left, top, right, bottom, in units of the level's anchor size, after ReLU) and
    /// the centerness logit. Levels may carry different batch sizes when an explanation widened one level's
    /// activation to one row per target; narrower levels are broadcast.
    /// </summary>
    public Tensor Forward(IReadOnlyList<Tensor> levels)
    {
        ArgumentNullException.ThrowIfNull(levels);
        var perLevel = new Tensor[levels.Count];
        long batch = levels.Max(l => l.shape[0]);
        for (int i = 0; i < levels.Count; i++)
        {
            var cls = _classification.Run(levels[i])[0];
            var reg = _regression.Run(levels[i]);
            var joined = cat([cls, F.relu(reg[0]), reg[1]], 1);
            // [N, C, H, W] -> [N, H*W, C]
            var dense = joined.flatten(2).transpose(1, 2);
            perLevel[i] = dense.shape[0] == batch ? dense : dense.expand(batch, -1, -1);
        }
        return cat(perLevel, 1);
    }

    /// <summary>
    /// torchvision's initialisation: N(0, 0.01) convolutions, zero biases, classification bias at prior 0.01, and
    /// GroupNorm 1/0 (TorchSharp's GroupNorm leaves its affine parameters uninitialised; see docs/torchsharp-notes.md).
    /// </summary>
    private void Initialize(int numClasses)
    {
        using var _ = no_grad();
        foreach (var (_, module) in named_modules())
        {
            if (module is TorchSharp.Modules.Conv2d conv)
            {
                nn.init.normal_(conv.weight, std: 0.01);
                nn.init.zeros_(conv.bias!);
            }
            else if (module is TorchSharp.Modules.GroupNorm norm)
            {
                nn.init.ones_(norm.weight!);
                nn.init.zeros_(norm.bias!);
            }
        }
        var clsBias = _classification.Output(0).bias!;
        clsBias.fill_(Scalars.Of(-Math.Log((1 - 0.01) / 0.01)));
    }

    /// <summary>One branch: the shared tower <c>conv</c> and its output convolutions.</summary>
    private sealed class Branch : nn.Module
    {
        private readonly nn.Module<Tensor, Tensor> _tower;
        private readonly TorchSharp.Modules.Conv2d[] _outputs;

        public Branch(int channels, int numConvs, params (string Name, int Channels)[] outputs) : base(nameof(Branch))
        {
            var tower = new List<(string, nn.Module<Tensor, Tensor>)>();
            for (int i = 0; i < numConvs; i++)
            {
                tower.Add(($"{3 * i}", nn.Conv2d(channels, channels, kernel_size: 3, padding: 1)));
                tower.Add(($"{3 * i + 1}", nn.GroupNorm(32, channels)));
                tower.Add(($"{3 * i + 2}", nn.ReLU()));
            }
            _tower = nn.Sequential(tower);
            register_module("conv", _tower);
            _outputs = new TorchSharp.Modules.Conv2d[outputs.Length];
            for (int i = 0; i < outputs.Length; i++)
            {
                _outputs[i] = nn.Conv2d(channels, outputs[i].Channels, kernel_size: 3, padding: 1);
                register_module(outputs[i].Name, _outputs[i]);
            }
        }

        protected override void RegisterComponents() { }

        public TorchSharp.Modules.Conv2d Output(int index) => _outputs[index];

        public Tensor[] Run(Tensor level)
        {
            var features = _tower.call(level);
            return _outputs.Select(o => o.call(features)).ToArray();
        }
    }
}
