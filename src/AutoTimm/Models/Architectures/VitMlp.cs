using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace AutoTimm.Models.Architectures;

/// <summary>timm's Mlp: <c>fc1</c>, exact (erf) GELU, <c>fc2</c>.</summary>
public sealed class VitMlp : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> _fc1, _fc2;

    /// <summary>
    /// Children are registered explicitly under their PyTorch names; TorchSharp's reflection-based registration
    /// would add the private fields a second time under their C# names.
    /// </summary>
    protected override void RegisterComponents() { }

    /// <summary>Creates the MLP.</summary>
    public VitMlp(int dim, int hidden) : base(nameof(VitMlp))
    {
        _fc1 = nn.Linear(dim, hidden);
        _fc2 = nn.Linear(hidden, dim);
        register_module("fc1", _fc1);
        register_module("fc2", _fc2);
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x) => _fc2.call(F.gelu(_fc1.call(x)));
}
