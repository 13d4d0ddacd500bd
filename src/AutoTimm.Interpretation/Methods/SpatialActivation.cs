using AutoTimm.Models;
using static TorchSharp.torch;

namespace AutoTimm.Interpretation.Methods;

/// <summary>
/// Turns a layer's output into a spatial map <c>[N,C,h,w]</c>: convolutional outputs pass through; transformer
/// tokens <c>[N,T,D]</c> are reshaped to the patch grid by a reshape function (by default from the model's
/// <see cref="TokenLayout"/>: prefix tokens dropped, row-major grid, channels first).
/// </summary>
public static class SpatialActivation
{
    /// <summary>The default reshape for a model, or null when its layers are already spatial.</summary>
    public static Func<Tensor, Tensor>? DefaultReshape(VisionModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.TokenLayout is { } layout ? tokens => TokensToGrid(tokens, layout) : null;
    }

    /// <summary><c>[N,T,D]</c> tokens to <c>[N,D,gh,gw]</c>.</summary>
    public static Tensor TokensToGrid(Tensor tokens, TokenLayout layout)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(layout);
        if (tokens.dim() != 3 || tokens.shape[1] != layout.TokenCount)
            throw new ArgumentException($"expected tokens [N,{layout.TokenCount},D], got [{string.Join(",", tokens.shape)}]", nameof(tokens));
        return tokens.narrow(1, layout.PrefixTokens, layout.GridHeight * layout.GridWidth)
            .reshape(tokens.shape[0], layout.GridHeight, layout.GridWidth, tokens.shape[2])
            .permute(0, 3, 1, 2);
    }

    internal static Tensor ToSpatial(Tensor activation, Func<Tensor, Tensor>? reshape, string layer)
    {
        if (reshape is not null && activation.dim() != 4) return reshape(activation);
        return activation.dim() switch
        {
            4 => activation,
            3 => throw new ArgumentException(
                $"layer '{layer}' outputs tokens [{string.Join(",", activation.shape)}] and the model has no token layout; pass a reshape function"),
            _ => throw new ArgumentException(
                $"layer '{layer}' has no spatial output (shape [{string.Join(",", activation.shape)}]); choose a convolutional stage such as layer4 or a transformer block's norm1"),
        };
    }
}
