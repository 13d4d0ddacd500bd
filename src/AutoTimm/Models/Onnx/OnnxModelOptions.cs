using AutoTimm.Imaging;

namespace AutoTimm.Models.Onnx;

/// <summary>How the graph's image input is laid out in memory.</summary>
public enum OnnxLayout
{
    /// <summary>[N, C, H, W] (PyTorch, ML.NET, PaddlePaddle).</summary>
    Nchw,
    /// <summary>[N, H, W, C] (TensorFlow, TFLite conversions).</summary>
    Nhwc,
}

/// <summary>The order of the graph's colour channels.</summary>
public enum OnnxChannelOrder
{
    /// <summary>Red, green, blue.</summary>
    Rgb,
    /// <summary>Blue, green, red (OpenCV, Caffe, CNTK).</summary>
    Bgr,
}

/// <summary>
/// What ONNX does not carry: how an image becomes the graph's input, and what its output means. A pixel intensity
/// p in [0, 1] becomes <c>(Range[0] + p (Range[1] - Range[0]) - Mean[c]) / Std[c]</c> in channel c of
/// <see cref="ChannelOrder"/>, laid out as <see cref="Layout"/>. Explanations are computed and shown in the library's
/// own RGB, [N, 3, H, W] image space, whatever the graph's layout. Set in code, read from a sidecar JSON
/// (<see cref="OnnxSidecar"/>), or given as CLI flags.
/// </summary>
public sealed record OnnxModelOptions
{
    /// <summary>Input height in pixels; null takes the graph's declared height, else 224.</summary>
    public int? Height { get; init; }

    /// <summary>Input width in pixels; null takes the graph's declared width, else 224.</summary>
    public int? Width { get; init; }

    /// <summary>Memory layout; null reads it from the graph's declared input shape ([N, H, W, 3] is NHWC).</summary>
    public OnnxLayout? Layout { get; init; }

    /// <summary>Channel order of the graph's input, which <see cref="Mean"/> and <see cref="Std"/> follow.</summary>
    public OnnxChannelOrder ChannelOrder { get; init; } = OnnxChannelOrder.Rgb;

    /// <summary>The values pixel intensities 0 and 1 map to before normalization: [0, 1], [0, 255], [-1, 1]...</summary>
    public float[] Range { get; init; } = [0f, 1f];

    /// <summary>Per-channel mean subtracted, in <see cref="ChannelOrder"/> and in <see cref="Range"/>'s units (ImageNet's by default).</summary>
    public float[] Mean { get; init; } = [0.485f, 0.456f, 0.406f];

    /// <summary>Per-channel standard deviation divided, in <see cref="ChannelOrder"/> and <see cref="Range"/>'s units.</summary>
    public float[] Std { get; init; } = [0.229f, 0.224f, 0.225f];

    /// <summary>Class or feature labels, one per output value.</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>The graph output that is scored; null takes the first. An output with more than two axes is flattened per image.</summary>
    public string? Output { get; init; }

    /// <summary>
    /// An ONNX graph run before the model, as shipped beside it (ML.NET's featurizers subtract a mean image this way),
    /// so the explanation covers the whole pipeline. Its one output feeds the model's input.
    /// </summary>
    public string? PreprocessGraph { get; init; }

    /// <summary>
    /// What the graph does: an image classifier (the default; embeddings and detectors are scored as flattened
    /// outputs too) or a semantic segmenter, whose [N, K, H, W] logits get the segmentation explanations.
    /// </summary>
    public ModelTask Task { get; init; } = ModelTask.ImageClassifier;

    /// <summary>How images are resized to the input size.</summary>
    public ResizeInterpolation Interpolation { get; init; } = ResizeInterpolation.Bilinear;

    /// <summary>Center-crop fraction (1 resizes the whole image to the input size).</summary>
    public float CropPct { get; init; } = 1f;

    /// <summary>Options for a classifier normalized like <paramref name="preprocess"/> (RGB, [0, 1], NCHW).</summary>
    public static OnnxModelOptions From(PreprocessConfig preprocess, IReadOnlyList<string>? classNames = null) => new()
    {
        Height = preprocess.Height,
        Width = preprocess.Width,
        Mean = preprocess.Mean,
        Std = preprocess.Std,
        Interpolation = preprocess.Interpolation,
        CropPct = preprocess.CropPct,
        ClassNames = classNames,
    };

    /// <summary>Checks the values, naming <paramref name="source"/> and the field in the error.</summary>
    /// <exception cref="ArgumentException">A value is out of range.</exception>
    public void Validate(string source)
    {
        if (Height is < 8 or > 4096 || Width is < 8 or > 4096) throw new ArgumentException($"{source}: the input size {Height}x{Width} must be whole pixels between 8 and 4096");
        if (Range.Length != 2 || !Range.All(float.IsFinite) || Range[0] >= Range[1]) throw new ArgumentException($"{source}: range [{string.Join(", ", Range)}] must be two finite numbers, the first smaller");
        if (Mean.Length != 3 || !Mean.All(float.IsFinite)) throw new ArgumentException($"{source}: mean [{string.Join(", ", Mean)}] must be three finite numbers");
        if (Std.Length != 3 || !Std.All(s => float.IsFinite(s) && s > 0)) throw new ArgumentException($"{source}: std [{string.Join(", ", Std)}] must be three positive numbers");
        if (CropPct is not (> 0 and <= 1)) throw new ArgumentException($"{source}: crop {CropPct} must lie in (0, 1]");
    }

    /// <summary>
    /// The library's normalization in RGB [0, 1] space that equals this one: (p - m') / s' with
    /// m' = (mean - lo) / (hi - lo) and s' = std / (hi - lo), reordered to RGB.
    /// </summary>
    internal PreprocessConfig ToPreprocess(int height, int width)
    {
        float lo = Range[0], span = Range[1] - Range[0];
        float[] Rgb(float[] values) => ChannelOrder == OnnxChannelOrder.Bgr ? [values[2], values[1], values[0]] : [.. values];
        return new PreprocessConfig
        {
            Height = height,
            Width = width,
            Mean = Rgb(Mean).Select(m => (m - lo) / span).ToArray(),
            Std = Rgb(Std).Select(s => s / span).ToArray(),
            Interpolation = Interpolation,
            CropPct = CropPct,
        };
    }
}
