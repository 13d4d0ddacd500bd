using static TorchSharp.torch;

namespace AutoTimm.Interpretation;

/// <summary>
/// The one way explainers call <c>autograd.grad</c>. TorchSharp's native wrapper of it catches nothing, so every
/// error libtorch raises there (an output off the graph, an output with more than one element, an input the output
/// does not depend on) aborts the whole process. Those are checked first, or asked for in a form that cannot throw.
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
        if (output.numel() != 1)
            throw new InvalidOperationException($"{what} has shape [{string.Join(", ", output.shape)}]; a gradient is taken of one number");
        foreach (var input in inputs) Check(input, "a tensor the gradient is taken with respect to");
        // allow_unused: an input the output does not depend on comes back as an undefined tensor instead of an abort.
        var gradients = TorchSharp.torch.autograd.grad([output], [.. inputs], allow_unused: true).ToArray();
        for (int i = 0; i < gradients.Length; i++)
        {
            if (gradients[i] is null || gradients[i].IsInvalid)
                throw new InvalidOperationException(
                    $"{what} does not depend on tensor {i + 1} of {inputs.Count} it is differentiated with respect to (a layer whose output does not reach the model's output?)");
        }
        return gradients;
    }

    /// <summary><c>autograd.grad</c> of a scalar with respect to one tensor, after checking both.</summary>
    public static Tensor Grad(Tensor output, Tensor input, string what) => Grad(output, [input], what)[0];
}
