using TorchSharp;
using static TorchSharp.torch;

namespace AutoTimm.Models.Architectures;

/// <summary>timm's PatchEmbed: a strided convolution (<c>proj</c>) turning an image into a token sequence.</summary>
public sealed class PatchEmbed : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> _proj;

    /// <summary>
    /// Children are registered explicitly under their PyTorch names; TorchSharp's reflection-based registration
    /// would add the private fields a second time under their C# names.
    /// </summary>
    protected override void RegisterComponents() { }

    /// <summary>Creates the embedding.</summary>
    public PatchEmbed(int patchSize, int embedDim) : base(nameof(PatchEmbed))
    {
        _proj = nn.Conv2d(3, embedDim, kernel_size: patchSize, stride: patchSize);
        register_module("proj", _proj);
    }

    /// <summary>[N,3,H,W] to [N, H/p * W/p, D].</summary>
    public override Tensor forward(Tensor x) => _proj.call(x).flatten(2).transpose(1, 2);
}
