namespace AutoTimm.Data;

/// <summary>One object drawn on a multi-object canvas, with its visible (occlusion-aware) extent.</summary>
public sealed class CanvasObject
{
    internal CanvasObject(int instanceId, int label, BoundingBox box, BoundingBox fullBox, int visiblePixels, int fullPixels, int sourceIndex, float[] color)
    {
        InstanceId = instanceId;
        Label = label;
        Box = box;
        FullBox = fullBox;
        VisiblePixels = visiblePixels;
        FullPixels = fullPixels;
        SourceIndex = sourceIndex;
        Color = color;
    }

    /// <summary>The object's value in <see cref="MultiObjectCanvas.InstanceMask"/> (1-based, in drawing order).</summary>
    public int InstanceId { get; }

    /// <summary>Class index (see <see cref="FashionMnist.ClassNames"/>).</summary>
    public int Label { get; }

    /// <summary>Tight box around the object's visible pixels (exclusive right/bottom edges).</summary>
    public BoundingBox Box { get; }

    /// <summary>Tight box around the whole object as if nothing covered it (the amodal box).</summary>
    public BoundingBox FullBox { get; }

    /// <summary>Number of mask pixels not covered by objects drawn later.</summary>
    public int VisiblePixels { get; }

    /// <summary>Number of mask pixels the object would have without occlusion.</summary>
    public int FullPixels { get; }

    /// <summary>Index of the item in the Fashion-MNIST split.</summary>
    public int SourceIndex { get; }

    /// <summary>The object's RGB color in [0,1].</summary>
    public float[] Color { get; }
}
