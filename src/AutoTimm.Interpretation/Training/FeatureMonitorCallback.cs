using AutoTimm.Interpretation.Engine;
using AutoTimm.Interpretation.Features;
using AutoTimm.Native;
using AutoTimm.Training;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Training;

/// <summary>
/// Tracks what layers compute while a model trains: after validation, every <see cref="LogEveryNEpochs"/> epochs,
/// it runs exactly <see cref="NumBatches"/> validation batches (or all of them when there are fewer) and logs each
/// layer's mean, standard deviation, sparsity and maximum as scalars (<c>features/&lt;layer&gt;/mean</c>, ...) and its
/// activations as a histogram (<c>features/&lt;layer&gt;/activations</c>, at most <see cref="HistogramValues"/> values).
/// </summary>
public sealed class FeatureMonitorCallback : ITrainerCallback
{
    private readonly IReadOnlyList<string> _layers;
    private readonly Dictionary<string, FeatureStatistics> _last = new(StringComparer.Ordinal);

    /// <param name="layerNames">The layers to watch (checked when training starts).</param>
    /// <param name="logEveryNEpochs">Measure after every this many epochs.</param>
    /// <param name="numBatches">Validation batches measured each time.</param>
    /// <param name="histogramValues">Most activations per layer that go into its histogram.</param>
    public FeatureMonitorCallback(IReadOnlyList<string> layerNames, int logEveryNEpochs = 1, int numBatches = 10, int histogramValues = 1 << 20)
    {
        ArgumentNullException.ThrowIfNull(layerNames);
        if (layerNames.Count == 0) throw new ArgumentException("no layer to monitor", nameof(layerNames));
        ArgumentOutOfRangeException.ThrowIfLessThan(logEveryNEpochs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(numBatches, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(histogramValues, 1);
        _layers = layerNames;
        LogEveryNEpochs = logEveryNEpochs;
        NumBatches = numBatches;
        HistogramValues = histogramValues;
    }

    /// <summary>Measure after every this many epochs.</summary>
    public int LogEveryNEpochs { get; }

    /// <summary>Validation batches measured each time.</summary>
    public int NumBatches { get; }

    /// <summary>Most activations per layer that go into its histogram.</summary>
    public int HistogramValues { get; }

    /// <summary>Validation batches the latest measurement ran.</summary>
    public int BatchesMeasured { get; private set; }

    /// <summary>The latest statistics, by layer name.</summary>
    public IReadOnlyDictionary<string, FeatureStatistics> LastStatistics => _last;

    /// <inheritdoc/>
    public void OnTrainStart(TrainerContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Validation is null)
            throw new InvalidOperationException("FeatureMonitorCallback measures on validation batches, and this fit has none; pass validation data to Fit");
        foreach (var layer in _layers) LayerSelector.Resolve(context.Model, layer, null); // names a missing layer before the first epoch
    }

    /// <inheritdoc/>
    public void OnValidationEnd(TrainerContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if ((context.Epoch + 1) % LogEveryNEpochs != 0 || context.Validation is null) return;
        var model = context.Model;
        var viz = new FeatureVisualizer(model);
        var resolved = viz.Resolve(_layers);
        var summaries = resolved.Select(r => new ActivationSummary(r.Name)).ToList();
        var histograms = resolved.Select(_ => new List<double>()).ToList();
        int batches = 0;
        foreach (var batch in context.Validation.Batches(context.Epoch))
        {
            // Sources make each batch as it is asked for: stopping early leaves nothing undisposed.
            using (batch)
            {
                using var scope = NewDisposeScope();
                var maps = viz.Activations(batch.Images.to(model.Device), resolved);
                for (int i = 0; i < maps.Count; i++)
                {
                    summaries[i].Add(maps[i]);
                    int room = HistogramValues - histograms[i].Count;
                    if (room > 0) histograms[i].AddRange(maps[i].flatten().narrow(0, 0, Math.Min(room, maps[i].numel())).to(ScalarType.Float64).CopyToArray<double>());
                }
                batches++;
            }
            if (batches == NumBatches) break;
        }
        BatchesMeasured = batches;
        if (batches == 0) return;
        for (int i = 0; i < resolved.Count; i++)
        {
            var stats = summaries[i].Statistics();
            _last[_layers[i]] = stats;
            var prefix = $"features/{stats.Layer}";
            context.Logger.LogScalar($"{prefix}/mean", stats.Mean, context.GlobalStep);
            context.Logger.LogScalar($"{prefix}/std", stats.Std, context.GlobalStep);
            context.Logger.LogScalar($"{prefix}/sparsity", stats.Sparsity, context.GlobalStep);
            context.Logger.LogScalar($"{prefix}/max", stats.Max, context.GlobalStep);
            using var values = tensor(histograms[i].ToArray());
            context.Logger.LogHistogram($"{prefix}/activations", values, context.GlobalStep);
        }
        context.Logger.Flush();
    }
}
