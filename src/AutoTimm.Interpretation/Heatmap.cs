using AutoTimm.Interpretation.Engine;
using AutoTimm.Interpretation.Targets;
using static TorchSharp.torch;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace AutoTimm.Interpretation;

/// <summary>
/// An explanation of one image: a saliency map at input resolution, normalized to [0,1] (min-max per image), the
/// raw map before normalization, and what was explained (target class, method, layer) along with the prediction.
/// </summary>
public sealed class Heatmap
{
    internal Heatmap(float[] raw, int height, int width)
        : this(raw, Normalize(raw), height, width)
    {
    }

    private Heatmap(float[] raw, float[] values, int height, int width)
    {
        Raw = raw;
        Values = values;
        Height = height;
        Width = width;
    }

    /// <summary>A copy whose arrays the caller may change without affecting this one.</summary>
    internal Heatmap Copy() => new((float[])Raw.Clone(), (float[])Values.Clone(), Height, Width)
    {
        Method = Method,
        Target = Target,
        Prediction = Prediction,
        Layer = Layer,
        NativeResolution = NativeResolution,
        Attributions = (float[]?)Attributions?.Clone(),
        ConvergenceDelta = ConvergenceDelta,
    };

    /// <summary>Map height in pixels (the model input's).</summary>
    public int Height { get; }

    /// <summary>Map width in pixels (the model input's).</summary>
    public int Width { get; }

    /// <summary>Normalized saliency, row-major <c>[Height, Width]</c>, in [0,1].</summary>
    public float[] Values { get; }

    /// <summary>Unnormalized saliency, row-major <c>[Height, Width]</c> (CAMs: ReLU'd at layer resolution, then bilinear upsampling).</summary>
    public float[] Raw { get; }

    /// <summary>Normalized value at a pixel.</summary>
    public float this[int y, int x] => Values[y * Width + x];

    /// <summary>Explanation method id (<c>gradcam</c>, <c>gradcampp</c>, <c>integrated_gradients</c>, ...).</summary>
    public required string Method { get; init; }

    /// <summary>What was explained: a class, a detection's box score, a mask region.</summary>
    public required IExplanationTarget Target { get; init; }

    /// <summary>The model's prediction for the image, as its task summarizes it.</summary>
    public required PredictionSummary Prediction { get; init; }

    /// <summary>The class the target stands for, when it has one.</summary>
    public int? TargetClass => Target.ClassIndex;

    /// <summary>Dotted name of the layer a layer-based method used, else null.</summary>
    public string? Layer { get; init; }

    /// <summary>Resolution the method computed the map at before upsampling (e.g. 7x7 for a ResNet's layer4).</summary>
    public (int Height, int Width) NativeResolution { get; init; }

    /// <summary>Per-channel input attributions <c>[3, Height, Width]</c> for gradient methods, else null.</summary>
    public float[]? Attributions { get; init; }

    /// <summary>Integrated Gradients completeness error <c>sum(attr) - (f(x) - f(x'))</c>, else null.</summary>
    public double? ConvergenceDelta { get; init; }

    /// <summary>The normalized map as a tensor <c>[Height, Width]</c>.</summary>
    public Tensor ToTensor() => tensor(Values, [Height, Width]);

    /// <summary>The raw map as a tensor <c>[Height, Width]</c>.</summary>
    public Tensor RawTensor() => tensor(Raw, [Height, Width]);

    // (raw - min) / range, in SIMD: one value at a time, a 224 px map took longer than the rest of a cache hit.
    private static float[] Normalize(float[] raw)
    {
        if (raw.Length == 0) return [];
        float min = TensorPrimitives.Min(raw), range = TensorPrimitives.Max(raw) - min;
        // A flat map carries no ranking: all zeros.
        if (!(range > 1e-12f)) return new float[raw.Length];
        var result = GC.AllocateUninitializedArray<float>(raw.Length);
        TensorPrimitives.Subtract(raw, min, result);
        TensorPrimitives.Divide(result, range, result);
        return result;
    }
}
