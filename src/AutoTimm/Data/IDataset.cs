namespace AutoTimm.Data;

/// <summary>A fixed-size, random-access collection of labelled images, safe to read from several threads.</summary>
public interface IDataset
{
    /// <summary>Number of samples.</summary>
    int Count { get; }

    /// <summary>Returns one sample; the same index always gives the same sample.</summary>
    /// <param name="index">Sample index in [0, <see cref="Count"/>).</param>
    LabeledImage Get(int index);
}
