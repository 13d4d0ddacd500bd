namespace AutoTimm.Data;

/// <summary>A fixed number of cluttered canvases as a classification dataset (canvas <c>i</c> is drawn on demand).</summary>
public sealed class CanvasDataset : IDataset
{
    /// <summary>Creates the dataset.</summary>
    /// <param name="generator">Draws the canvases.</param>
    /// <param name="count">Number of canvases; null for one per item of the generator's split.</param>
    public CanvasDataset(ClutteredCanvasGenerator generator, int? count = null)
    {
        ArgumentNullException.ThrowIfNull(generator);
        if (count is < 0) throw new ArgumentOutOfRangeException(nameof(count), count, "Count must not be negative.");
        Generator = generator;
        Count = count ?? generator.Source.Count;
    }

    /// <summary>The generator.</summary>
    public ClutteredCanvasGenerator Generator { get; }

    /// <inheritdoc/>
    public int Count { get; }

    /// <inheritdoc/>
    public LabeledImage Get(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return Generator.Generate(index).ToLabeledImage();
    }
}
