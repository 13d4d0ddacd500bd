namespace AutoTimm.Imaging;

/// <summary>How an image is resized before it is cropped to the model's input size.</summary>
public enum ResizeInterpolation
{
    /// <summary>Bilinear with antialiasing when downscaling (PIL / torchvision antialias=True).</summary>
    Bilinear,
    /// <summary>Bicubic (a = -0.5, as PIL) with antialiasing when downscaling.</summary>
    Bicubic,
    /// <summary>Nearest neighbour.</summary>
    Nearest,
}

/// <summary>
/// Preprocessing that belongs to a model: how a decoded RGB image becomes the model's input tensor.
/// Mirrors timm's data config (input_size, interpolation, mean, std, crop_pct).
/// </summary>
public sealed record PreprocessConfig
{
    /// <summary>Model input height in pixels.</summary>
    public int Height { get; init; } = 224;

    /// <summary>Largest model input a configuration may ask for, in pixels (4096 x 4096): a checkpoint's metadata cannot demand more.</summary>
    public const long MaxInputPixels = 4096L * 4096;

    /// <summary>Model input width in pixels.</summary>
    public int Width { get; init; } = 224;

    /// <summary>Per-channel mean (RGB) subtracted after scaling to [0,1].</summary>
    public float[] Mean { get; init; } = [0.485f, 0.456f, 0.406f];

    /// <summary>Per-channel standard deviation (RGB) divided after subtracting the mean.</summary>
    public float[] Std { get; init; } = [0.229f, 0.224f, 0.225f];

    /// <summary>Interpolation used by the resize step.</summary>
    public ResizeInterpolation Interpolation { get; init; } = ResizeInterpolation.Bilinear;

    /// <summary>
    /// Center-crop fraction: the shorter side is first resized to size / CropPct, then the center is cropped.
    /// 1.0 resizes the whole image straight to the input size (no crop, aspect not preserved).
    /// </summary>
    public float CropPct { get; init; } = 1.0f;

    /// <summary>ImageNet statistics at 224 px with timm's default crop (0.875).</summary>
    public static PreprocessConfig ImageNet { get; } = new() { CropPct = 0.875f };
}
