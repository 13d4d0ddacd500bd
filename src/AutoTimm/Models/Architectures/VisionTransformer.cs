using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using AutoTimm.Native;

namespace AutoTimm.Models.Architectures;

/// <summary>
/// Vision Transformer with timm's parameter names and layout (<c>patch_embed.proj</c>, <c>cls_token</c>,
/// <c>pos_embed</c>, <c>blocks.N.{norm1, attn.qkv, attn.proj, norm2, mlp.fc1, mlp.fc2}</c>, <c>norm</c>, <c>head</c>;
/// class-token pooling, LayerNorm eps 1e-6), so timm ViT weights load by name and give timm's logits.
/// </summary>
public sealed class VisionTransformer : ImageClassifier, IAttentionModel
{
    private readonly PatchEmbed _patchEmbed;
    private readonly VitBlock[] _blocks;
    private readonly nn.Module<Tensor, Tensor> _norm, _head;

    /// <summary>Creates a ViT of the given shape.</summary>
    public VisionTransformer(VitSpec spec, ModelConfig config) : base(nameof(VisionTransformer), config)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.ImageSize % spec.PatchSize != 0)
            throw new ArgumentException($"image size {spec.ImageSize} is not a multiple of patch size {spec.PatchSize}");
        Spec = spec;
        int d = spec.EmbedDim;
        _patchEmbed = new PatchEmbed(spec);
        _blocks = Enumerable.Range(0, spec.Depth).Select(_ => new VitBlock(d, spec.NumHeads, spec.MlpRatio)).ToArray();
        _norm = nn.LayerNorm(d, eps: 1e-6);
        _head = nn.Linear(d, config.NumClasses);

        register_parameter("cls_token", new Parameter(zeros(1, 1, d)));
        register_parameter("pos_embed", new Parameter(zeros(1, spec.GridSize * spec.GridSize + 1, d)));
        register_module("patch_embed", _patchEmbed);
        register_module("blocks", nn.ModuleList(_blocks));
        register_module("norm", _norm);
        register_module("head", _head);
        Initialize();
    }

    /// <summary>
    /// The class token and position embedding, looked up by name each time: <c>to(dtype)</c> and <c>to(device)</c>
    /// replace registered parameters, so a field would keep a disposed one.
    /// </summary>
    private Parameter ClsToken => get_parameter("cls_token")!;

    private Parameter PosEmbed => get_parameter("pos_embed")!;

    /// <summary>Shape of this ViT.</summary>
    public VitSpec Spec { get; }

    /// <summary>The transformer blocks, in order.</summary>
    public IReadOnlyList<VitBlock> Blocks => _blocks;

    /// <inheritdoc/>
    public override string DefaultTargetLayer => $"blocks.{_blocks.Length - 1}.norm1";

    /// <inheritdoc/>
    public override string ClassifierName => "head";

    /// <inheritdoc/>
    public override TokenLayout TokenLayout => new(1, Spec.GridSize, Spec.GridSize);

    /// <inheritdoc/>
    public IReadOnlyList<nn.Module<Tensor, Tensor>> AttentionProbes => _blocks.Select(b => b.Attention.AttentionProbe).ToList();

    /// <inheritdoc/>
    public int? ClassTokenIndex => 0;

    /// <inheritdoc/>
    public override bool FixedInputSize => true;

    /// <inheritdoc/>
    public override Tensor forward(Tensor input) => _head.call(ForwardFeatures(input));

    /// <inheritdoc/>
    public override Tensor ForwardFeatures(Tensor input) => ForwardTokens(input).select(1, 0);

    /// <summary>All final normalized tokens <c>[N, T, D]</c> (class token first).</summary>
    public Tensor ForwardTokens(Tensor input)
    {
        CheckShape(input);
        var x = _patchEmbed.call(input);
        x = cat([ClsToken.expand(x.shape[0], -1, -1), x], 1).add(PosEmbed, Scalars.One);
        foreach (var block in _blocks)
            x = block.call(x);
        return _norm.call(x);
    }

    /// <summary>
    /// timm's initialisation: normal (std 0.02) for linear weights and pos_embed, a tiny class token. timm truncates
    /// at +-2 absolute, which a 0.02 standard deviation never reaches, so a plain normal is the same distribution
    /// (TorchSharp 0.107's trunc_normal_ leaves a 3-D parameter at zero, which kills the class token's signal).
    /// </summary>
    private void Initialize()
    {
        using var _ = no_grad();
        PosEmbed.normal_(0, 0.02);
        ClsToken.normal_(0, 1e-6);
        foreach (var (_, module) in named_modules())
        {
            if (module is Linear linear)
            {
                linear.weight!.normal_(0, 0.02);
                if (linear.bias is not null) nn.init.zeros_(linear.bias);
            }
        }
    }
}
