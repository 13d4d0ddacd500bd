using TorchSharp;

namespace AutoTimm.Data;

/// <summary>A canvas with several Fashion-MNIST objects and per-object and per-pixel ground truth.</summary>
public sealed class MultiObjectCanvas
{
    internal MultiObjectCanvas(float[] image, int height, int width, byte[] classMask, byte[] instanceMask, IReadOnlyList<CanvasObject> objects, int droppedCount)
    {
        Image = image;
        Height = height;
        Width = width;
        ClassMask = classMask;
        InstanceMask = instanceMask;
        Objects = objects;
        DroppedCount = droppedCount;
    }

    /// <summary>Channel-major RGB pixels [3, Height, Width], values in [0,1].</summary>
    public float[] Image { get; }

    /// <summary>Canvas height.</summary>
    public int Height { get; }

    /// <summary>Canvas width.</summary>
    public int Width { get; }

    /// <summary>Row-major [Height, Width]: 0 for background, class index + 1 where an object is visible (later objects occlude earlier ones).</summary>
    public byte[] ClassMask { get; }

    /// <summary>Row-major [Height, Width]: 0 for background, else the <see cref="CanvasObject.InstanceId"/> of the visible object.</summary>
    public byte[] InstanceMask { get; }

    /// <summary>The objects on the canvas in drawing order; every visible object pixel belongs to one of them.</summary>
    public IReadOnlyList<CanvasObject> Objects { get; }

    /// <summary>Objects that were placed but left out because too little of them would have stayed visible.</summary>
    public int DroppedCount { get; }

    /// <summary>A new float32 tensor [3, Height, Width] holding a copy of the image.</summary>
    public torch.Tensor ToTensor() => torch.tensor(Image, [3, Height, Width]);

    /// <summary>A new int64 tensor [Height, Width] holding the class mask (0 = background, class + 1).</summary>
    public torch.Tensor ClassMaskTensor() => torch.tensor(ClassMask.Select(v => (long)v).ToArray(), [Height, Width]);
}
