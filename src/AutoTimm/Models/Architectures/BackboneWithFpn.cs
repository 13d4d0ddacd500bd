using TorchSharp;
using static TorchSharp.torch;

namespace AutoTimm.Models.Architectures;

/// <summary>torchvision's <c>BackboneWithFPN</c>: a ResNet feature extractor (<c>body</c>) and a pyramid on its stages (<c>fpn</c>).</summary>
public sealed class BackboneWithFpn : nn.Module
{
    /// <summary>Creates the backbone.</summary>
    public BackboneWithFpn(ResNetBody body, FeaturePyramidNetwork fpn) : base(nameof(BackboneWithFpn))
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(fpn);
        Body = body;
        Fpn = fpn;
        register_module("body", body);
        register_module("fpn", fpn);
    }

    /// <inheritdoc/>
    protected override void RegisterComponents() { }

    /// <summary>The ResNet stages.</summary>
    public ResNetBody Body { get; }

    /// <summary>The pyramid.</summary>
    public FeaturePyramidNetwork Fpn { get; }

    /// <summary>The pyramid's levels for an input batch, highest resolution first.</summary>
    public Tensor[] Forward(Tensor input) => Fpn.Forward(Body.Features(input));
}
