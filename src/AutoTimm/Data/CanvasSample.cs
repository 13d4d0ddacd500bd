using TorchSharp;

namespace AutoTimm.Data;

/// <summary>One cluttered canvas with the exact ground truth of the item drawn on it.</summary>
public sealed class CanvasSample
{
    internal CanvasSample(float[] image, int height, int width, int label, bool[] mask, BoundingBox box, int sourceIndex,
        float[] itemColor, int[] clutterSources)
    {
        Image = image;
        Height = height;
        Width = width;
        Label = label;
        Mask = mask;
        Box = box;
        SourceIndex = sourceIndex;
        ItemColor = itemColor;
        ClutterSources = clutterSources;
    }

    /// <summary>Channel-major RGB pixels [3, Height, Width], values in [0,1].</summary>
    public float[] Image { get; }

    /// <summary>Canvas height.</summary>
    public int Height { get; }

    /// <summary>Canvas width.</summary>
    public int Width { get; }

    /// <summary>Class index of the item (see <see cref="FashionMnist.ClassNames"/>).</summary>
    public int Label { get; }

    /// <summary>Row-major [Height, Width]: true where the item's opacity exceeds the mask threshold. Clutter never counts.</summary>
    public bool[] Mask { get; }

    /// <summary>Tight box around <see cref="Mask"/> (exclusive right/bottom edges).</summary>
    public BoundingBox Box { get; }

    /// <summary>Index of the item in the Fashion-MNIST split the canvas was drawn from.</summary>
    public int SourceIndex { get; }

    /// <summary>The item's RGB color in [0,1]; fully opaque item pixels have exactly this color.</summary>
    public float[] ItemColor { get; }

    /// <summary>Indices (in the same split) of the items clutter fragments were cropped from.</summary>
    public IReadOnlyList<int> ClutterSources { get; }

    /// <summary>The image and label as a classification sample.</summary>
    public LabeledImage ToLabeledImage() => new(Image, Height, Width, Label);

    /// <summary>A new float32 tensor [3, Height, Width] holding a copy of the image.</summary>
    public torch.Tensor ToTensor() => torch.tensor(Image, [3, Height, Width]);
}
