using TorchSharp;

namespace AutoTimm.Native;

/// <summary>
/// Scalars kept for the life of the process. A Scalar made on the fly for one call (TorchSharp's <c>a + b</c> passes a
/// fresh alpha of 1) is unreachable while libtorch reads it, and a collection on another thread can finalize it
/// mid-call (docs/torchsharp-notes.md). Hot paths pass these instead.
/// </summary>
public static class Scalars
{
    /// <summary>The integer 1 (the alpha of a plain addition).</summary>
    public static Scalar One { get; } = 1.ToScalar();

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<double, Scalar> Kept = new();

    /// <summary>
    /// A double Scalar kept for the life of the process, one per value: for constants and settings (a method's noise
    /// level, an epsilon), never for values that change per call, which would pile up.
    /// </summary>
    public static Scalar Of(double value) => Kept.GetOrAdd(value, v => v.ToScalar());

    /// <summary><c>1 - t</c>, computed as <c>-t + 1</c> (the same rounding) with kept Scalars.</summary>
    internal static torch.Tensor OneMinus(torch.Tensor t) => t.neg().add_(One, One);
}
