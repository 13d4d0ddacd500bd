using AutoTimm.Native;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Features;

/// <summary>
/// Running statistics of one layer's activations over any number of batches <c>[N, C, H, W]</c>, in float64, without
/// keeping the activations: what <see cref="FeatureStatistics"/> reports for one image or for many batches.
/// </summary>
internal sealed class ActivationSummary(string layer)
{
    private long _count, _inactive, _perChannel;
    private double _sum, _squares, _max = double.NegativeInfinity, _min = double.PositiveInfinity;
    private double[]? _channelSums;
    private int _height, _width;

    /// <summary>Adds a batch of activations <c>[N, C, H, W]</c>.</summary>
    /// <exception cref="ArgumentException">The batch does not have the layer's channels and size of earlier batches.</exception>
    public ActivationSummary Add(Tensor activations)
    {
        if (activations.dim() != 4) throw new ArgumentException($"layer '{layer}': activations are [N, C, H, W]; got [{string.Join(", ", activations.shape)}]", nameof(activations));
        using var scope = NewDisposeScope();
        var values = activations.detach().to(ScalarType.Float64);
        var channelSums = values.sum([0L, 2L, 3L]).CopyToArray<double>();
        if (_channelSums is null)
        {
            _channelSums = new double[channelSums.Length];
            (_height, _width) = ((int)values.shape[2], (int)values.shape[3]);
        }
        else if (channelSums.Length != _channelSums.Length || values.shape[2] != _height || values.shape[3] != _width)
        {
            throw new ArgumentException($"layer '{layer}': a batch of [{string.Join(", ", values.shape)}] after batches of {_channelSums.Length} channels at {_height}x{_width}", nameof(activations));
        }
        for (int c = 0; c < channelSums.Length; c++) _channelSums[c] += channelSums[c];
        _perChannel += values.shape[0] * _height * _width;
        _count += values.numel();
        _sum += values.sum().item<double>();
        _squares += values.mul(values).sum().item<double>();
        _inactive += values.le(Scalars.Of(0)).sum().item<long>();
        _max = Math.Max(_max, values.max().item<double>());
        _min = Math.Min(_min, values.min().item<double>());
        return this;
    }

    /// <summary>Activations added so far.</summary>
    public long Count => _count;

    /// <summary>The statistics of everything added.</summary>
    /// <exception cref="InvalidOperationException">Nothing was added.</exception>
    public FeatureStatistics Statistics()
    {
        if (_channelSums is null || _count == 0) throw new InvalidOperationException($"layer '{layer}': no activations were measured");
        double mean = _sum / _count;
        // Sample variance from the sums, in float64: activations are O(1), so the cancellation costs nothing visible.
        double variance = _count > 1 ? Math.Max(0, (_squares - _sum * mean) / (_count - 1)) : 0;
        return new FeatureStatistics
        {
            Layer = layer,
            Mean = mean,
            Std = Math.Sqrt(variance),
            Sparsity = (double)_inactive / _count,
            Max = _max,
            Min = _min,
            ActiveChannels = _channelSums.Count(s => s / _perChannel > 0),
            Channels = _channelSums.Length,
            Height = _height,
            Width = _width,
        };
    }
}
