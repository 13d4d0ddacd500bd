using TorchSharp;
using static TorchSharp.torch;

namespace AutoTimm.Models.Architectures;

/// <summary>
/// timm's multi-head self-attention (<c>qkv</c>, <c>attn_drop</c>, <c>proj</c>). The attention matrix
/// softmax(q k^T / sqrt(d)) is computed here and passed through <c>attn_drop</c> with <c>call</c>, so a forward hook
/// on <c>blocks.N.attn.attn_drop</c> receives every head's matrix <c>[N, heads, T, T]</c>, still on the autograd
/// graph, exactly as hooking timm's module does.
/// </summary>
public sealed class VitAttention : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> _qkv, _attnDrop, _proj;
    private readonly int _heads;
    private readonly Scalar _scale;

    /// <summary>
    /// Children are registered explicitly under their PyTorch names; TorchSharp's reflection-based registration
    /// would add the private fields a second time under their C# names.
    /// </summary>
    protected override void RegisterComponents() { }

    /// <summary>Creates the attention layer.</summary>
    public VitAttention(int dim, int heads) : base(nameof(VitAttention))
    {
        if (dim % heads != 0) throw new ArgumentException($"embed dim {dim} is not divisible by {heads} heads");
        _heads = heads;
        _scale = 1.0 / Math.Sqrt(dim / heads);
        _qkv = nn.Linear(dim, dim * 3, hasBias: true);
        _attnDrop = nn.Dropout(0.0);
        _proj = nn.Linear(dim, dim);
        register_module("qkv", _qkv);
        register_module("attn_drop", _attnDrop);
        register_module("proj", _proj);
    }

    /// <summary>The module whose input and output are the attention matrices.</summary>
    public nn.Module<Tensor, Tensor> AttentionProbe => _attnDrop;

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        long b = x.shape[0], t = x.shape[1], c = x.shape[2];
        var qkv = _qkv.call(x).reshape(b, t, 3, _heads, c / _heads).permute(2, 0, 3, 1, 4);
        var q = qkv[0].mul(_scale);
        var k = qkv[1];
        var v = qkv[2];
        var attn = q.matmul(k.transpose(-2, -1)).softmax(-1);
        attn = _attnDrop.call(attn);
        var y = attn.matmul(v).transpose(1, 2).reshape(b, t, c);
        return _proj.call(y);
    }
}
