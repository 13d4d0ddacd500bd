using AutoTimm.Interpretation.Visualization;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Features;

/// <summary>
/// One layer's feature maps for one image, captured once (<see cref="FeatureVisualizer.FeatureMaps(AutoTimm.Imaging.ImageInput, IReadOnlyList{string})"/>):
/// their statistics, top channels and grid figure come from these maps without running the model again.
/// </summary>
/// <param name="Layer">The layer's dotted name.</param>
/// <param name="Maps">The activations, a CPU float32 tensor <c>[C, H, W]</c>, owned by this record.</param>
public sealed record LayerFeatureMaps(string Layer, Tensor Maps) : IDisposable
{
    /// <summary>Statistics of the maps.</summary>
    public FeatureStatistics Statistics() => FeatureVisualizer.Summarize(Layer, Maps.unsqueeze(0));

    /// <summary>The <paramref name="topK"/> channels with the highest mean activation, highest first.</summary>
    public IReadOnlyList<ChannelActivation> TopChannels(int topK = 10)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(topK, 1);
        return FeatureVisualizer.Channels(Maps).OrderByDescending(c => c.Mean).ThenBy(c => c.Channel).Take(topK).ToList();
    }

    /// <summary>
    /// Writes a grid of <paramref name="numFeatures"/> maps, each titled with its channel index, chosen in
    /// <paramref name="order"/>; PNG or SVG by the extension of <paramref name="path"/>.
    /// </summary>
    /// <returns>The channels shown, in grid order.</returns>
    public IReadOnlyList<int> Save(string path, int numFeatures = 16, FeatureOrder order = FeatureOrder.Activation, int seed = 0,
        string colormap = Colormaps.Default, double scale = 1)
    {
        var channels = FeatureVisualizer.SelectChannels(Maps, Math.Min(numFeatures, (int)Maps.shape[0]), order, seed);
        FeaturePlots.SaveFeatureGrid(Maps, channels, $"{Layer}: {channels.Count} of {Maps.shape[0]} channels by {order.ToString().ToLowerInvariant()}",
            colormap, path, scale);
        return channels;
    }

    /// <summary>Disposes the maps.</summary>
    public void Dispose() => Maps.Dispose();
}
