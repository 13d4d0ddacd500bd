namespace AutoTimm.Interpretation.Methods;

/// <summary>How Integrated Gradients discretizes the path integral (Captum's names).</summary>
public enum IntegrationMethod
{
    /// <summary>Gauss-Legendre quadrature on [0,1]: exact for polynomials of degree 2n-1, converges fastest.</summary>
    GaussLegendre,
    /// <summary>Left Riemann sum: alpha = i/n.</summary>
    RiemannLeft,
    /// <summary>Right Riemann sum: alpha = (i+1)/n.</summary>
    RiemannRight,
    /// <summary>Midpoint rule: alpha = (i+0.5)/n.</summary>
    RiemannMiddle,
    /// <summary>Trapezoid rule on n points including both ends.</summary>
    RiemannTrapezoid,
}

/// <summary>Quadrature nodes (alphas) and weights on [0,1] for each <see cref="IntegrationMethod"/>.</summary>
public static class Quadrature
{
    /// <summary>The rules by name, as Captum and the CLI spell them.</summary>
    public static IReadOnlyList<string> Names { get; } = ["gausslegendre", "riemann_left", "riemann_right", "riemann_middle", "riemann_trapezoid"];

    /// <summary>Parses a rule name (case-insensitive; <c>gauss_legendre</c> too).</summary>
    public static IntegrationMethod Parse(string name) => name?.Trim().ToLowerInvariant() switch
    {
        "gausslegendre" or "gauss_legendre" => IntegrationMethod.GaussLegendre,
        "riemann_left" => IntegrationMethod.RiemannLeft,
        "riemann_right" => IntegrationMethod.RiemannRight,
        "riemann_middle" => IntegrationMethod.RiemannMiddle,
        "riemann_trapezoid" => IntegrationMethod.RiemannTrapezoid,
        _ => throw new ArgumentException($"unknown integration method '{name}'; known: {string.Join(", ", Names)}", nameof(name)),
    };

    /// <summary>Nodes and weights whose weighted sum approximates the integral over [0,1]; weights sum to 1.</summary>
    public static (double[] Alphas, double[] Weights) Rule(IntegrationMethod method, int steps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        var alphas = new double[steps];
        var weights = new double[steps];
        switch (method)
        {
            case IntegrationMethod.GaussLegendre:
                return GaussLegendre(steps);
            case IntegrationMethod.RiemannLeft:
            case IntegrationMethod.RiemannRight:
            case IntegrationMethod.RiemannMiddle:
                double shift = method switch { IntegrationMethod.RiemannLeft => 0, IntegrationMethod.RiemannRight => 1, _ => 0.5 };
                for (int i = 0; i < steps; i++) { alphas[i] = (i + shift) / steps; weights[i] = 1.0 / steps; }
                return (alphas, weights);
            case IntegrationMethod.RiemannTrapezoid:
                if (steps < 2) throw new ArgumentOutOfRangeException(nameof(steps), steps, "the trapezoid rule needs at least 2 steps");
                for (int i = 0; i < steps; i++)
                {
                    alphas[i] = (double)i / (steps - 1);
                    weights[i] = (i == 0 || i == steps - 1 ? 0.5 : 1.0) / (steps - 1);
                }
                return (alphas, weights);
            default:
                throw new ArgumentOutOfRangeException(nameof(method), method, "unknown integration method");
        }
    }

    /// <summary>Gauss-Legendre nodes by Newton iteration on the Legendre polynomial, mapped from [-1,1] to [0,1].</summary>
    private static (double[] Alphas, double[] Weights) GaussLegendre(int n)
    {
        var alphas = new double[n];
        var weights = new double[n];
        for (int i = 0; i < n; i++)
        {
            double x = Math.Cos(Math.PI * (i + 0.75) / (n + 0.5));
            double derivative = 0;
            for (int iteration = 0; iteration < 100; iteration++)
            {
                double p0 = 1, p1 = x;
                for (int k = 2; k <= n; k++)
                {
                    double p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
                    p0 = p1;
                    p1 = p2;
                }
                derivative = n * (x * p1 - p0) / (x * x - 1);
                double dx = p1 / derivative;
                x -= dx;
                if (Math.Abs(dx) < 1e-15) break;
            }
            // Ascending order in [0,1].
            alphas[n - 1 - i] = (x + 1) / 2;
            weights[n - 1 - i] = 1.0 / ((1 - x * x) * derivative * derivative);
        }
        return (alphas, weights);
    }
}
