namespace AutoTimm.Data;

/// <summary>A fixed number of cluttered canvases as a classification dataset (canvas <c>i</c> is drawn on demand).</summary>
public sealed class CanvasDataset : IDataset
{
    /// <summary>Creates the dataset.</summary>
    /// <param name="generator">Draws the canvases.</param>
    /// <param name="count">Number of canvases; null for one per item of the generator's split.</param>
    /// <param name="freshEachEpoch">
    /// Draw a new canvas of the same item in every epoch (for training: the network never sees the same placement,
    /// color and clutter twice); otherwise every epoch shows the same canvases.
    /// </param>
    public CanvasDataset(ClutteredCanvasGenerator generator, int? count = null, bool freshEachEpoch = false)
    {
        ArgumentNullException.ThrowIfNull(generator);
        if (count is < 0) throw new ArgumentOutOfRangeException(nameof(count), count, "Count must not be negative.");
        Generator = generator;
        Count = count ?? generator.Source.Count;
        FreshEachEpoch = freshEachEpoch;
    }

    /// <summary>The generator.</summary>
    public ClutteredCanvasGenerator Generator { get; }

    /// <inheritdoc/>
    public int Count { get; }

    /// <summary>Whether each epoch draws new canvases of the same items.</summary>
    public bool FreshEachEpoch { get; }

    /// <inheritdoc/>
    public LabeledImage Get(int index) => Get(index, 0);

    /// <inheritdoc/>
    /// <remarks>
    /// With <see cref="FreshEachEpoch"/>, epoch <c>e</c> draws canvas <c>index + e * stride</c>, the stride being
    /// <see cref="Count"/> rounded up to a multiple of the split's size: the generator shows item
    /// <c>i mod Source.Count</c>, so the item (and label) stays, everything else is redrawn, and no two epochs share a
    /// canvas.
    /// </remarks>
    public LabeledImage Get(int index, int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        long items = Generator.Source.Count;
        long stride = (Count + items - 1) / items * items;
        long canvas = FreshEachEpoch ? index + epoch * stride : index;
        return Generator.Generate(canvas).ToLabeledImage();
    }
}
