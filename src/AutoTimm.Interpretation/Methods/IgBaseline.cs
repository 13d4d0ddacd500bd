namespace AutoTimm.Interpretation.Methods;

/// <summary>Reference input of Integrated Gradients.</summary>
public enum IgBaseline
{
    /// <summary>A black image (pixel 0) pushed through the model's normalization: -mean/std per channel.</summary>
    Black,
    /// <summary>A white image (pixel 1) pushed through the model's normalization: (1-mean)/std per channel.</summary>
    White,
    /// <summary>A strongly Gaussian-blurred copy of the input (sigma = 1/8 of the shorter side).</summary>
    Blur,
    /// <summary>Uniform random pixels in [0,1] pushed through the normalization (seeded).</summary>
    Random,
    /// <summary>The zero tensor in model-input space (the normalized mean image).</summary>
    Zeros,
    /// <summary>A tensor the caller supplies.</summary>
    Custom,
}
