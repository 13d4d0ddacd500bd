using static TorchSharp.torch;

namespace AutoTimm.Interpretation;

/// <summary>
/// Checks a tensor is on the autograd graph before <c>autograd.grad</c> touches it: libtorch aborts the whole process
/// (an uncaught C++ exception) instead of raising an error it could report.
/// </summary>
internal static class GradientGuard
{
    public static void Check(Tensor tensor, string what)
    {
        if (!tensor.requires_grad)
            throw new InvalidOperationException(
                $"{what} does not depend differentiably on the input: a target returning a constant or detached score, or a call inside inference_mode, cannot be explained by gradients");
    }
}
