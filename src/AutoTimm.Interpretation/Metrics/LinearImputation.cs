using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace AutoTimm.Interpretation.Metrics;

/// <summary>
/// ROAD's noisy linear imputation (Rong et al. 2022): every removed pixel becomes the weighted mean of its eight
/// neighbours (1/6 edge-adjacent, 1/12 diagonal, neighbours outside the image left out and the weights renormalized),
/// removed neighbours included, which makes the removed pixels one sparse linear system per channel, plus Gaussian
/// noise. The system is solved on the model's device by conjugate gradients on the whole batch at once (the operator
/// is a 3x3 convolution restricted to the removed pixels, symmetric and, with at least one kept pixel, positive
/// definite), in float64 to a relative residual of 1e-9, so the result equals a direct sparse solve to float32
/// precision.
/// </summary>
internal static class LinearImputation
{
    private const double Tolerance = 1e-9;

    /// <summary>The images <c>[B,C,H,W]</c> with the pixels where <paramref name="keep"/> <c>[B,1,H,W]</c> is 0 imputed, before noise.</summary>
    public static Tensor Impute(Tensor images, Tensor keep)
    {
        using var scope = NewDisposeScope();
        long b = images.shape[0], c = images.shape[1], h = images.shape[2], w = images.shape[3];
        var x = images.to(ScalarType.Float64).reshape(b * c, 1, h, w);
        var kept = keep.to(ScalarType.Float64, images.device).expand(b, c, h, w).reshape(b * c, 1, h, w);
        var removed = 1 - kept;
        var kernel = tensor(new[] { 1 / 12.0, 1 / 6.0, 1 / 12.0, 1 / 6.0, 0, 1 / 6.0, 1 / 12.0, 1 / 6.0, 1 / 12.0 },
            dtype: ScalarType.Float64, device: images.device).reshape(1, 1, 3, 3);
        // The weight of a pixel's neighbours inside the image: 1, less at the border.
        var inside = F.conv2d(ones(1, 1, h, w, dtype: ScalarType.Float64, device: images.device), kernel, padding: [1, 1]);
        Tensor Laplacian(Tensor v) => F.conv2d(v, kernel, padding: [1, 1]) - inside * v;
        Tensor Apply(Tensor v) => -(removed * Laplacian(removed * v));

        var known = x * kept;
        var rhs = removed * Laplacian(known);
        var solution = zeros_like(rhs);
        var residual = rhs.clone();
        var direction = rhs.clone();
        var dims = new long[] { 1, 2, 3 };
        var rs = residual.square().sum(dims, keepdim: true);
        var rhsNorm = rs.sqrt().clamp_min(1e-300);
        int limit = checked((int)Math.Max(100, 10 * (h + w)) * 10);
        for (int iteration = 0; ; iteration++)
        {
            using var step = NewDisposeScope();
            if ((rs.sqrt() / rhsNorm).max().item<double>() <= Tolerance) break;
            if (iteration == limit)
                throw new InvalidOperationException($"the imputation did not converge in {limit} iterations (relative residual {(rs.sqrt() / rhsNorm).max().item<double>():G3})");
            var applied = Apply(direction);
            var curvature = (direction * applied).sum(dims, keepdim: true);
            var alpha = where(curvature > 0, rs / curvature.clamp_min(1e-300), zeros_like(rs));
            solution.add_(alpha * direction);
            residual.sub_(alpha * applied);
            var next = residual.square().sum(dims, keepdim: true);
            var beta = where(rs > 0, next / rs.clamp_min(1e-300), zeros_like(rs));
            direction.mul_(beta).add_(residual);
            rs.copy_(next);
        }
        return (known + removed * solution).reshape(b, c, h, w).to(images.dtype).MoveToOuterDisposeScope();
    }
}
