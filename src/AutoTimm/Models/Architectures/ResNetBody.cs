using TorchSharp;
using static TorchSharp.torch;

namespace AutoTimm.Models.Architectures;

/// <summary>
/// A ResNet without its pooling and classifier, returning the outputs of chosen stages: torchvision's
/// <c>IntermediateLayerGetter</c> over a ResNet, as detectors (<c>backbone.body</c>) and segmenters (<c>backbone</c>)
/// hold it. Parameter names are the ResNet's (<c>conv1</c>, <c>bn1</c>, <c>layer1..4</c>).
/// </summary>
public sealed class ResNetBody : nn.Module
{
    private readonly ResNetLayers _layers;

    /// <summary>Creates the feature extractor.</summary>
    /// <param name="spec">Shape of the ResNet.</param>
    /// <param name="returnedStages">Stages (1..4, increasing) whose outputs <see cref="Features"/> returns.</param>
    public ResNetBody(ResNetSpec spec, IReadOnlyList<int> returnedStages) : base(nameof(ResNetBody))
    {
        ArgumentNullException.ThrowIfNull(returnedStages);
        if (returnedStages.Count == 0 || returnedStages.Any(s => s is < 1 or > 4) || returnedStages.Zip(returnedStages.Skip(1)).Any(p => p.First >= p.Second))
            throw new ArgumentException($"returned stages must be increasing values in 1..4, got [{string.Join(",", returnedStages)}]", nameof(returnedStages));
        _layers = new ResNetLayers(spec);
        // IntermediateLayerGetter keeps the modules up to the last returned stage only.
        register_module("conv1", _layers.Conv1);
        register_module("bn1", _layers.Bn1);
        for (int s = 0; s < returnedStages[^1]; s++) register_module($"layer{s + 1}", _layers.Stages[s]);
        ReturnedStages = returnedStages.ToArray();
        Spec = spec;
        ResNetLayers.Initialize(this);
    }

    /// <inheritdoc/>
    protected override void RegisterComponents() { }

    /// <summary>Shape of the ResNet.</summary>
    public ResNetSpec Spec { get; }

    /// <summary>Stages whose outputs are returned (1-based).</summary>
    public IReadOnlyList<int> ReturnedStages { get; }

    /// <summary>Channels of each returned stage's output.</summary>
    public int[] ReturnedChannels => ReturnedStages.Select(s => Spec.StageChannels[s - 1]).ToArray();

    /// <summary>Outputs of the returned stages, highest resolution first.</summary>
    public Tensor[] Features(Tensor input)
    {
        var outputs = new Tensor[ReturnedStages.Count];
        int next = 0;
        _layers.Forward(input, ReturnedStages[^1], (stage, x) =>
        {
            if (next < outputs.Length && ReturnedStages[next] == stage + 1) outputs[next++] = x;
        });
        return outputs;
    }
}
