using static TorchSharp.torch;

namespace AutoTimm.Interpretation;

/// <summary>Checks of model inputs, with errors that name the shape found and the shape expected.</summary>
internal static class InputValidation
{
    public static void CheckBatch(Tensor inputs, Models.VisionModel model)
    {
        if (inputs.dim() != 4 || inputs.shape[1] != 3)
            throw new ArgumentException($"{model.Config.Arch} expects model input of shape [N,3,H,W], got [{string.Join(",", inputs.shape)}]", nameof(inputs));
        if (inputs.shape[0] == 0)
            throw new ArgumentException("the input batch is empty", nameof(inputs));
        if (!inputs.is_floating_point())
            throw new ArgumentException($"expected a floating-point input, got {inputs.dtype}", nameof(inputs));
        using var finite = inputs.isfinite().all();
        if (!finite.item<bool>())
            throw new ArgumentException("the input contains NaN or Inf values", nameof(inputs));
    }
}
