using AutoTimm.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoTimm.Models.Architectures;

/// <summary>timm's pre-norm transformer Block: x + attn(norm1(x)), then x + mlp(norm2(x)).</summary>
public sealed class VitBlock : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> _norm1, _norm2, _mlp;

    /// <summary>
    /// Children are registered explicitly under their PyTorch names; TorchSharp's reflection-based registration
    /// would add the private fields a second time under their C# names.
    /// </summary>
    protected override void RegisterComponents() { }

    /// <summary>Creates the block.</summary>
    public VitBlock(int dim, int heads, double mlpRatio) : base(nameof(VitBlock))
    {
        _norm1 = nn.LayerNorm(dim, eps: 1e-6);
        Attention = new VitAttention(dim, heads);
        _norm2 = nn.LayerNorm(dim, eps: 1e-6);
        _mlp = new VitMlp(dim, (int)(dim * mlpRatio));
        register_module("norm1", _norm1);
        register_module("attn", Attention);
        register_module("norm2", _norm2);
        register_module("mlp", _mlp);
    }

    /// <summary>The block's self-attention.</summary>
    public VitAttention Attention { get; }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        x = x.add(Attention.call(_norm1.call(x)), Scalars.One);
        return x.add(_mlp.call(_norm2.call(x)), Scalars.One);
    }
}
