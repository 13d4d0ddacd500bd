using AutoTimm.Imaging;
using AutoTimm.Interpretation.Engine;
using AutoTimm.Interpretation.Visualization;
using AutoTimm.Models;
using AutoTimm.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Features;

/// <summary>
/// What a model's layers compute for an image: feature maps, their statistics, the most active channels, a
/// comparison across layers, and where in the input a channel looks. Every figure is drawn with ScottPlot and written
/// as PNG or SVG (by the path's extension), with a scale factor for print.
/// </summary>
/// <remarks>
/// Layers are named as everywhere in the library (<c>layer3</c>, <c>backbone.layer4.1</c>). A layer's output must be a
/// feature map <c>[N, C, H, W]</c>, or the tokens <c>[N, T, D]</c> of a vision transformer, which are laid out on the
/// model's patch grid (prefix tokens dropped, D channels).
/// </remarks>
public sealed class FeatureVisualizer
{
    /// <param name="model">The model whose layers are inspected.</param>
    public FeatureVisualizer(VisionModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        Model = model;
    }

    /// <summary>The model whose layers are inspected.</summary>
    public VisionModel Model { get; }

    /// <summary>The activations of <paramref name="layer"/> for <paramref name="image"/>: a CPU float32 tensor <c>[C, H, W]</c>.</summary>
    /// <exception cref="ArgumentException">The layer does not exist or its output is not a feature map.</exception>
    public Tensor FeatureMaps(ImageInput image, string layer)
    {
        var captured = FeatureMaps(image, [layer])[0];
        return captured.Maps;
    }

    /// <summary>
    /// The feature maps of several layers from one forward pass, in the order given, named canonically: statistics,
    /// top channels and figures of each then come from them without another forward.
    /// </summary>
    /// <exception cref="ArgumentException">A layer does not exist or its output is not a feature map.</exception>
    public IReadOnlyList<LayerFeatureMaps> FeatureMaps(ImageInput image, IReadOnlyList<string> layers)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(layers);
        if (layers.Count == 0) throw new ArgumentException("no layer given", nameof(layers));
        var resolved = Resolve(layers);
        using var scope = NewDisposeScope();
        var maps = Activations(image.ToModelInput(Model.Config.Preprocess, Model.Device), resolved);
        return resolved.Select((r, i) => new LayerFeatureMaps(r.Name, maps[i][0].to(ScalarType.Float32).cpu().MoveToOuterDisposeScope())).ToList();
    }

    /// <summary>Statistics of <paramref name="layer"/>'s activations for <paramref name="image"/>.</summary>
    public FeatureStatistics Statistics(ImageInput image, string layer) => CompareLayers(image, [layer])[0];

    /// <summary>Statistics of several layers from one forward pass, in the order given.</summary>
    public IReadOnlyList<FeatureStatistics> CompareLayers(ImageInput image, IReadOnlyList<string> layers)
    {
        var captured = FeatureMaps(image, layers);
        try
        {
            return captured.Select(c => c.Statistics()).ToList();
        }
        finally
        {
            foreach (var c in captured) c.Dispose();
        }
    }

    /// <summary>The <paramref name="topK"/> channels of <paramref name="layer"/> with the highest mean activation, highest first.</summary>
    public IReadOnlyList<ChannelActivation> TopActivatingChannels(ImageInput image, string layer, int topK = 10)
    {
        using var captured = FeatureMaps(image, [layer])[0];
        return captured.TopChannels(topK);
    }

    /// <summary>Per-channel mean, maximum and spatial variance of feature maps <c>[C, H, W]</c>, by channel index.</summary>
    public static IReadOnlyList<ChannelActivation> Channels(Tensor maps)
    {
        ArgumentNullException.ThrowIfNull(maps);
        if (maps.dim() != 3) throw new ArgumentException($"feature maps are [C, H, W]; got [{string.Join(", ", maps.shape)}]", nameof(maps));
        using var scope = NewDisposeScope();
        var flat = maps.to(ScalarType.Float64).flatten(1);
        var means = flat.mean([1L]).CopyToArray<double>();
        var maxima = flat.amax([1L]).CopyToArray<double>();
        var variances = flat.var(1L, unbiased: false).CopyToArray<double>();
        return means.Select((m, c) => new ChannelActivation(c, m, maxima[c], variances[c])).ToList();
    }

    /// <summary>The channels a feature-map figure shows: <paramref name="count"/> of them in <paramref name="order"/>.</summary>
    public static IReadOnlyList<int> SelectChannels(Tensor maps, int count, FeatureOrder order, int seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var channels = Channels(maps);
        var ordered = order switch
        {
            FeatureOrder.Activation => channels.OrderByDescending(c => c.Mean).ThenBy(c => c.Channel).Select(c => c.Channel),
            FeatureOrder.Variance => channels.OrderByDescending(c => c.Variance).ThenBy(c => c.Channel).Select(c => c.Channel),
            FeatureOrder.Random => Shuffled(channels.Count, seed),
            _ => throw new ArgumentOutOfRangeException(nameof(order), order, null),
        };
        return ordered.Take(count).ToList();
    }

    /// <summary>
    /// Where in the input channel <paramref name="channel"/> of <paramref name="layer"/> looks: the gradient of the
    /// channel's mean activation with respect to the input, or the drop of that mean when patches of the input are
    /// occluded (batched, <paramref name="batchSize"/> occluded copies per forward).
    /// </summary>
    /// <param name="image">The image.</param>
    /// <param name="layer">The layer.</param>
    /// <param name="channel">The channel.</param>
    /// <param name="method">Gradient or occlusion.</param>
    /// <param name="patch">Occlusion patch side in input pixels; 0 for an eighth of the input's shorter side.</param>
    /// <param name="batchSize">Occluded copies per forward.</param>
    public ReceptiveField ReceptiveField(ImageInput image, string layer, int channel, SensitivityMethod method = SensitivityMethod.Gradient,
        int patch = 0, int batchSize = 32)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentOutOfRangeException.ThrowIfNegative(patch);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var (module, name) = LayerSelector.Resolve(Model, layer, null);
        using var scope = NewDisposeScope();
        using var mode = new EvalModeScope(Model);
        var input = image.ToModelInput(Model.Config.Preprocess, Model.Device);
        int height = (int)input.shape[2], width = (int)input.shape[3];
        float[] raw;
        if (method == SensitivityMethod.Gradient)
        {
            using var capture = new ActivationCapture(module, name);
            using var grad = enable_grad();
            var x = input.detach().requires_grad_(true);
            Model.forward(x);
            var score = ChannelMeans(Spatial(capture.Require(), name), channel, name).sum();
            var gradient = GradientGuard.Grad(score, x, $"the mean activation of channel {channel} of {name}");
            raw = gradient.abs().sum(1L).squeeze(0).to(ScalarType.Float32).CopyToArray<float>();
        }
        else
        {
            int side = patch > 0 ? patch : Math.Max(1, Math.Min(height, width) / 8);
            var cells = new List<(int Y, int X)>();
            for (int y = 0; y < height; y += side)
                for (int x = 0; x < width; x += side) cells.Add((y, x));
            // The model's mean colour: zero after normalization.
            using var _ = no_grad();
            double baseline = Occluded(module, name, input, channel)[0];
            var drops = new double[cells.Count];
            foreach (var (start, count) in Chunks.Of(cells.Count, batchSize))
            {
                using var chunk = NewDisposeScope();
                var batch = input.expand(count, -1, -1, -1).clone();
                for (int i = 0; i < count; i++)
                {
                    var (y, x) = cells[start + i];
                    batch[i, .., y..Math.Min(height, y + side), x..Math.Min(width, x + side)] = zeros(1, device: input.device);
                }
                var means = Occluded(module, name, batch, channel);
                for (int i = 0; i < count; i++) drops[start + i] = baseline - means[i];
            }
            raw = new float[height * width];
            for (int c = 0; c < cells.Count; c++)
            {
                var (y0, x0) = cells[c];
                for (int y = y0; y < Math.Min(height, y0 + side); y++)
                    for (int x = x0; x < Math.Min(width, x0 + side); x++) raw[y * width + x] = (float)drops[c];
            }
        }
        return new ReceptiveField { Layer = name, Channel = channel, Method = method, Height = height, Width = width, Raw = raw };
    }

    /// <summary>
    /// Writes a grid of <paramref name="numFeatures"/> feature maps of <paramref name="layer"/>, each titled with its
    /// channel index, chosen in <paramref name="order"/>; PNG or SVG by the extension of <paramref name="path"/>.
    /// </summary>
    /// <returns>The channels shown, in grid order.</returns>
    public IReadOnlyList<int> SaveFeatureMaps(ImageInput image, string layer, string path, int numFeatures = 16, FeatureOrder order = FeatureOrder.Activation,
        int seed = 0, string colormap = Colormaps.Default, double scale = 1)
    {
        using var captured = FeatureMaps(image, [layer])[0];
        return captured.Save(path, numFeatures, order, seed, colormap, scale);
    }

    /// <summary>Writes a bar chart of mean, std, sparsity and active-channel share per layer; PNG or SVG by extension.</summary>
    public static void SaveLayerComparison(IReadOnlyList<FeatureStatistics> statistics, string path, double scale = 1) =>
        FeaturePlots.SaveLayerComparison(statistics, path, scale);

    /// <summary>Writes a receptive field as a heatmap with a colorbar; PNG or SVG by extension.</summary>
    public static void SaveReceptiveField(ReceptiveField field, string path, string colormap = Colormaps.Default, double scale = 1) =>
        FeaturePlots.SaveReceptiveField(field, colormap, path, scale);

    /// <summary>Statistics of activations <c>[N, C, H, W]</c> (all images together).</summary>
    internal static FeatureStatistics Summarize(string layer, Tensor activations) => new ActivationSummary(layer).Add(activations).Statistics();

    /// <summary>A layer's output as feature maps <c>[N, C, H, W]</c>: as it is, or a transformer's tokens on the patch grid.</summary>
    internal Tensor Spatial(Tensor output, string layer)
    {
        if (output.dim() == 4) return output;
        if (output.dim() == 3 && Model.TokenLayout is { } tokens && output.shape[1] == tokens.TokenCount)
        {
            return output.narrow(1, tokens.PrefixTokens, tokens.GridHeight * tokens.GridWidth)
                .transpose(1, 2).reshape(output.shape[0], output.shape[2], tokens.GridHeight, tokens.GridWidth);
        }
        throw new ArgumentException(
            $"layer '{layer}' outputs [{string.Join(", ", output.shape)}], not feature maps [N, C, H, W] (or a transformer's tokens on its patch grid); pick a convolutional stage or a transformer block");
    }

    /// <summary>The layers by canonical name, with the modules to hook.</summary>
    internal IReadOnlyList<(nn.Module<Tensor, Tensor> Module, string Name)> Resolve(IReadOnlyList<string> layers) =>
        layers.Select(l => LayerSelector.Resolve(Model, l, null)).ToList();

    /// <summary>
    /// One forward of <paramref name="inputs"/> in eval mode without autograd, with <paramref name="layers"/> hooked:
    /// their outputs as feature maps <c>[N, C, H, W]</c>, in the caller's dispose scope.
    /// </summary>
    internal List<Tensor> Activations(Tensor inputs, IReadOnlyList<(nn.Module<Tensor, Tensor> Module, string Name)> layers)
    {
        var captures = layers.Select(r => new ActivationCapture(r.Module, r.Name)).ToList();
        try
        {
            using var mode = new EvalModeScope(Model);
            using var _ = no_grad();
            Model.forward(inputs);
            return captures.Select(c => Spatial(c.Require(), c.Name)).ToList();
        }
        finally
        {
            foreach (var capture in captures) capture.Dispose();
        }
    }

    private double[] Occluded(nn.Module<Tensor, Tensor> module, string name, Tensor inputs, int channel) =>
        ChannelMeans(Activations(inputs, [(module, name)])[0], channel, name).to(ScalarType.Float64).CopyToArray<double>();

    private static Tensor ChannelMeans(Tensor maps, int channel, string layer)
    {
        if (channel < 0 || channel >= maps.shape[1])
            throw new ArgumentOutOfRangeException(nameof(channel), channel, $"layer '{layer}' has channels 0..{maps.shape[1] - 1}");
        return maps.select(1, channel).mean([1L, 2L]);
    }

    private static IEnumerable<int> Shuffled(int count, int seed)
    {
        var order = Enumerable.Range(0, count).ToArray();
        new Random(seed).Shuffle(order);
        return order;
    }
}
