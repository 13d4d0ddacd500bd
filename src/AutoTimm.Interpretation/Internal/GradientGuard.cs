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

    /// <summary><c>autograd.grad</c> of a scalar with respect to tensors, after checking every one of them.</summary>
    public static Tensor[] Grad(Tensor output, IReadOnlyList<Tensor> inputs, string what)
    {
        Check(output, what);
        foreach (var input in inputs) Check(input, "a tensor the gradient is taken with respect to");
        return [.. TorchSharp.torch.autograd.grad([output], [.. inputs])];
    }

    /// <summary><c>autograd.grad</c> of a scalar with respect to one tensor, after checking both.</summary>
    public static Tensor Grad(Tensor output, Tensor input, string what) => Grad(output, [input], what)[0];
}
