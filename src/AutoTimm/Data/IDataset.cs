namespace AutoTimm.Data;

/// <summary>A fixed-size, random-access collection of labelled images, safe to read from several threads.</summary>
public interface IDataset
{
    /// <summary>Number of samples.</summary>
    int Count { get; }

    /// <summary>Returns one sample; the same index always gives the same sample.</summary>
    /// <param name="index">Sample index in [0, <see cref="Count"/>).</param>
    LabeledImage Get(int index);

    /// <summary>
    /// Returns one sample as seen in one epoch. Most datasets show the same sample every epoch; a generated dataset
    /// may draw a fresh variant per epoch (new placement, colors and clutter of the same item), which the
    /// <see cref="DataLoader"/> asks for.
    /// </summary>
    /// <param name="index">Sample index in [0, <see cref="Count"/>).</param>
    /// <param name="epoch">Epoch number, non-negative.</param>
    LabeledImage Get(int index, int epoch) => Get(index);

    /// <summary>
    /// Returns one sample as seen in one epoch, or null when that sample cannot be read and should be left out (an
    /// unreadable file in a folder of images). The <see cref="DataLoader"/> reads through this and drops the nulls from
    /// their batch, so a long run never stops for one bad file and no sample is counted twice.
    /// </summary>
    /// <param name="index">Sample index in [0, <see cref="Count"/>).</param>
    /// <param name="epoch">Epoch number, non-negative.</param>
    LabeledImage? TryGet(int index, int epoch) =>
        Get(index, epoch) ?? throw new InvalidOperationException($"{GetType().Name}.Get({index}) returned null; a dataset that can skip samples implements TryGet.");
}
