using AutoTimm.Data;
using AutoTimm.Imaging;
using static TorchSharp.torch;

namespace AutoTimm.Training;

/// <summary>
/// Feeds a <see cref="DataLoader"/>'s batches (pixels in [0,1]) to the trainer: normalized with the model's
/// preprocessing and, for training, augmented with a key derived from epoch and batch so runs are reproducible.
/// </summary>
public sealed class LoaderBatchSource : IBatchSource
{
    private readonly DataLoader _loader;
    private readonly Preprocessor _preprocessor;
    private readonly Augment? _augment;

    /// <summary>Creates the source.</summary>
    /// <param name="loader">Batches of pixels in [0,1].</param>
    /// <param name="preprocess">The model's normalization (mean, std).</param>
    /// <param name="augment">Augmentation for training, or null.</param>
    public LoaderBatchSource(DataLoader loader, PreprocessConfig preprocess, Augment? augment = null)
    {
        ArgumentNullException.ThrowIfNull(loader);
        ArgumentNullException.ThrowIfNull(preprocess);
        _loader = loader;
        _preprocessor = new Preprocessor(preprocess);
        _augment = augment;
    }

    /// <inheritdoc/>
    public int BatchesPerEpoch => _loader.BatchCount;

    /// <inheritdoc/>
    public IEnumerable<TrainingBatch> Batches(int epoch)
    {
        foreach (var batch in _loader.Epoch(epoch))
        {
            // No dispose scope stays open across the yield: the consumer's scopes must not nest inside ours.
            TrainingBatch prepared;
            using (batch)
            using (var scope = NewDisposeScope())
            {
                var pixels = _augment is null ? batch.Images : _augment.Apply(batch.Images, ((ulong)epoch << 32) | (uint)batch.Number);
                prepared = new TrainingBatch(
                    _preprocessor.Normalize(pixels).MoveToOuterDisposeScope(),
                    batch.Labels.to_type(ScalarType.Int64).clone().MoveToOuterDisposeScope());
            }
            yield return prepared;
        }
    }
}
