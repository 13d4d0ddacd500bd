namespace AutoTimm.Data;

/// <summary>One split (train or test) of Fashion-MNIST: grayscale items, 0 = background, 255 = full ink.</summary>
public sealed class FashionMnistSplit
{
    private readonly byte[] _pixels;
    private readonly byte[] _labels;

    /// <summary>Creates a split from row-major pixel data and labels.</summary>
    /// <param name="name">Split name ("train" or "test").</param>
    /// <param name="pixels">Item pixels, <c>count * height * width</c> bytes, item-major then row-major.</param>
    /// <param name="labels">One class index (0-9) per item.</param>
    /// <param name="height">Item height in pixels.</param>
    /// <param name="width">Item width in pixels.</param>
    public FashionMnistSplit(string name, byte[] pixels, byte[] labels, int height = 28, int width = 28)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        if (labels.Length == 0)
            throw new ArgumentException($"Fashion-MNIST {name} split has no items.", nameof(labels));
        if ((long)labels.Length * height * width != pixels.Length)
            throw new ArgumentException(
                $"Fashion-MNIST {name} split: {labels.Length} labels need {(long)labels.Length * height * width} pixel bytes, got {pixels.Length}.",
                nameof(pixels));
        for (var i = 0; i < labels.Length; i++)
        {
            if (labels[i] >= FashionMnist.ClassNames.Count)
                throw new ArgumentException($"Fashion-MNIST {name} split: label {labels[i]} of item {i} is not a class index (0-9).", nameof(labels));
        }
        Name = name;
        Height = height;
        Width = width;
        _pixels = pixels;
        _labels = labels;
    }

    /// <summary>Split name ("train" or "test").</summary>
    public string Name { get; }

    /// <summary>Number of items.</summary>
    public int Count => _labels.Length;

    /// <summary>Item height in pixels (28).</summary>
    public int Height { get; }

    /// <summary>Item width in pixels (28).</summary>
    public int Width { get; }

    /// <summary>The pixels of one item, row-major, 0 = background, 255 = full ink.</summary>
    /// <param name="index">Item index.</param>
    public ReadOnlySpan<byte> Pixels(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        var size = Height * Width;
        return _pixels.AsSpan(index * size, size);
    }

    /// <summary>The class index (0-9) of one item; see <see cref="FashionMnist.ClassNames"/>.</summary>
    /// <param name="index">Item index.</param>
    public int Label(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return _labels[index];
    }

    /// <summary>A new split holding items <paramref name="start"/> .. start+count-1 (copied), e.g. a validation hold-out.</summary>
    public FashionMnistSplit Slice(string name, int start, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        if (start + count > Count)
            throw new ArgumentOutOfRangeException(nameof(count), $"items {start}..{start + count - 1} exceed the {Count} items of {Name}");
        var size = Height * Width;
        return new FashionMnistSplit(name, _pixels.AsSpan(start * size, count * size).ToArray(), _labels.AsSpan(start, count).ToArray(), Height, Width);
    }
}
